// 核对导入: every row saves itself when a field changes (htmx, hx-trigger="change"); the
// confirm button waits for saves still on their way and refuses while a row shows an error,
// so an edit is never lost silently at 确认.
(function () {
  "use strict";
  var pending = 0;
  var waiting = false;
  var form = document.getElementById("confirm-form");
  var status = document.getElementById("confirm-status");
  if (!form) return;

  function say(text) {
    if (status) status.textContent = text;
  }

  function rowErrors() {
    return document.querySelectorAll(".draft-targets .error, .draft-tasks .error").length;
  }

  document.body.addEventListener("htmx:beforeRequest", function () {
    pending += 1;
  });
  document.body.addEventListener("htmx:afterRequest", function () {
    pending = Math.max(0, pending - 1);
    if (waiting && pending === 0) {
      waiting = false;
      var errors = rowErrors();
      if (errors) {
        say("有 " + errors + " 处修改未能保存（见标红的提示），请改正后再确认。");
      } else {
        form.submit();
      }
    }
  });
  form.addEventListener("submit", function (event) {
    if (pending > 0) {
      event.preventDefault();
      waiting = true;
      say("正在保存刚才的修改，保存后自动确认……");
      return;
    }
    var errors = rowErrors();
    if (errors) {
      event.preventDefault();
      say("有 " + errors + " 处修改未能保存（见标红的提示），请改正后再确认。");
    }
  });
})();
