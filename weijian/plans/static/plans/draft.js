// 核对导入: every row saves itself when a field changes (htmx, hx-trigger="change"); the
// confirm button waits for saves still on their way and refuses while a row shows an error,
// so an edit is never lost silently at 确认.
(function () {
  "use strict";
  var form = document.getElementById("confirm-form");
  var status = document.getElementById("confirm-status");
  if (!form) return;

  function say(text) {
    if (status) status.textContent = text;
  }

  function saving() {
    // htmx marks the element whose request is in flight; a replaced row takes its mark away.
    return document.querySelectorAll(".draft-targets .htmx-request, .draft-tasks .htmx-request").length > 0;
  }

  function rowErrors() {
    return document.querySelectorAll(".draft-targets .error, .draft-tasks .error").length;
  }

  function submitWhenSaved(triesLeft) {
    if (saving() && triesLeft > 0) {
      window.setTimeout(function () { submitWhenSaved(triesLeft - 1); }, 100);
      return;
    }
    var errors = rowErrors();
    if (saving()) {
      say("修改仍在保存中，请稍候再点“确认”。");
    } else if (errors) {
      say("有 " + errors + " 处修改未能保存（见标红的提示），请改正后再确认。");
    } else {
      form.submit();
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (saving()) say("正在保存刚才的修改，保存后自动确认……");
    // Let a change event fired by leaving a field start its save first.
    window.setTimeout(function () { submitWhenSaved(100); }, 0);
  });
})();
