"""A real work plan from the shared corpus, imported end to end through the document engine and
the national catalogue: its 39 tasks with the owners its gold annotation records, and its
quantitative statements as targets linked to catalogue indicators."""

import json
from pathlib import Path

import pytest

from weijian.plans import importing
from weijian.plans.models import PlanDraft, Scope

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus"
DOC = CORPUS / "003_219bdd4e38369d34.txt"

pytestmark = pytest.mark.skipif(not DOC.exists(), reason=f"shared corpus not present at {CORPUS}")


@pytest.fixture
def imported(users, city):
    from weijian.indicators.catalogue import load_catalogue

    load_catalogue()
    text = importing.read_text(DOC.read_bytes(), DOC.name)
    draft = PlanDraft.objects.create(
        user=users["admin"], file_name=DOC.name, year=2017, proposal=importing.propose(text, 2017)
    )
    return importing.confirm(draft, users["admin"], area=city.city)


def test_tasks_and_owners_equal_the_documents(imported):
    gold = json.loads(DOC.with_suffix(".gold.json").read_text(encoding="utf-8"))
    tasks = list(imported.tasks.prefetch_related("taskleader_set__leader", "taskdepartment_set__department"))
    assert len(tasks) == len(gold["tasks"]) == 39
    by_num = {t.num: t for t in tasks if t.num}
    by_title = {t.title: t for t in tasks if not t.num}
    for g in gold["tasks"]:
        task = by_num[g["num"]] if g["num"] else by_title[g["title"]]
        assert task.title == g["title"]
        assert task.leader_names() == g["leaders"], g["title"]
        assert task.department_names(lead=False) == g["departments"], g["title"]
        assert task.department_names(lead=True) == g["lead_departments"], g["title"]


def _targets(plan) -> dict[str, list]:
    out: dict[str, list] = {}
    for t in plan.targets.select_related("indicator", "task"):
        out.setdefault(t.indicator.code if t.indicator_id else t.phrase, []).append(t)
    return out


@pytest.mark.parametrize(
    "code,cmp,value,unit,scope,task",
    [
        ("PAEDIATRIC_BEDS", "=", 100, "张", Scope.CITY, "三.（一）"),
        ("OBSTETRIC_BEDS", "=", 100, "张", Scope.CITY, "三.（一）"),
        ("PSYCH_BEDS", "=", 300, "张", Scope.CITY, "三.（一）"),
        ("IMM_RATE", ">=", 95, "%", Scope.TOWNSHIP, "四.（三）"),
        ("SMI_DETECT_RATE", ">=", 5, "‰", Scope.CITY, "四.（三）"),
        ("HTN_STD_RATE", "=", 75, "%", Scope.CITY, "四.（三）"),
        ("DM_STD_RATE", "=", 75, "%", Scope.CITY, "四.（三）"),
    ],
)
def test_quantitative_statements_become_linked_targets(imported, code, cmp, value, unit, scope, task):
    (target,) = _targets(imported)[code]
    assert (target.cmp, target.value, target.unit, target.scope, target.task.num) == (
        cmp,
        value,
        unit,
        scope,
        task,
    )
    assert target.deadline.isoformat() == "2017-12-31"


def test_clinical_pathway_targets_are_proposed(imported):
    pathway = imported.targets.filter(task__num="四.（二）")
    values = {(t.value, t.unit) for t in pathway}
    assert {(20, "个"), (250, "个")} <= values
    assert any(t.cmp == ">=" and t.value == 20 for t in pathway)
    # the counts of 病种 link to the catalogue's 临床路径管理病种数; the count of 专业 links to nothing
    linked = {t.value: t.indicator.code if t.indicator else None for t in pathway if t.unit == "个"}
    assert linked[250] == linked[100] == "PATHWAY_DISEASES_COUNT"
    assert linked[20] is None


def test_listed_new_beds_are_all_increases(imported):
    phrases = set(imported.targets.filter(unit="张").values_list("phrase", flat=True))
    assert all(p.startswith("新增") for p in phrases), phrases
