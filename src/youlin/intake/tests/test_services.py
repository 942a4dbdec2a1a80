import numpy as np
import pytest

from youlin.cases.models import Category
from youlin.cases.tests import factories as f
from youlin.intake import selectors
from youlin.intake.model import Model
from youlin.intake.models import CategoryCorrection
from youlin.intake.services import correction_record, intake_train

pytestmark = pytest.mark.django_db

PHRASE = "小区门口的共享充电宝机柜坏了，扫码借不出来"


def test_a_correction_keeps_the_text_and_both_categories(users, clock):
    case = f.register(users.spk_grid, description="楼道里堆了旧家具")
    new = f.category("06036")
    correction = correction_record(actor=users.spk_staff, case=case, old_category=case.category, new_category=new)
    assert correction.text == "楼道里堆了旧家具"
    assert (correction.from_category, correction.to_category, correction.actor) == (case.category, new, users.spk_staff)
    assert correction_record(actor=users.spk_staff, case=case, old_category=new, new_category=new) is None
    assert CategoryCorrection.objects.count() == 1


def test_retraining_from_corrections_changes_a_prediction(users, clock, tmp_path, settings, built_model):
    target = f.category("01045")  # this deployment files power-bank cabinets as vending machines
    before = [s.suggestion.code for s in selectors.suggest(PHRASE, top=1).suggestions]
    assert before != ["01045"]
    texts = [
        "楼下的共享充电宝机柜坏了",
        "共享充电宝柜子借不出充电宝",
        "超市门口共享充电宝机柜黑屏",
        "共享充电宝机柜扫码没反应，还扣了钱",
        "地铁口共享充电宝机器坏了，归还不了",
        "共享充电宝柜子屏幕碎了",
        "小区里的共享充电宝机柜一直报故障",
    ]
    for text in texts:
        case = f.register(users.spk_grid, code="01054", description=text)
        correction_record(actor=users.spk_staff, case=case, old_category=case.category, new_category=target)
    path = tmp_path / "model.npz"
    path.write_bytes(built_model[0].read_bytes())
    settings.YOULIN_INTAKE_MODEL = path
    report = intake_train()
    assert report.replaced, report.summary()
    assert report.corrections_trained + report.corrections_held_back == len(texts)
    assert report.new.top1 >= 0.80 and report.current is not None
    assert "replaced" in report.summary()
    after = [s.suggestion.code for s in selectors.suggest(PHRASE, top=1).suggestions]
    assert after == ["01045"]


def test_a_worse_model_does_not_replace_the_one_in_use(tmp_path, settings, built_model, monkeypatch):
    from youlin.intake import services

    path = tmp_path / "model.npz"
    path.write_bytes(built_model[0].read_bytes())
    settings.YOULIN_INTAKE_MODEL = path
    before = path.read_bytes()

    real_train = services.train

    def crippled(examples, dictionary, **kwargs):
        return real_train(examples[::3], dictionary, **kwargs)  # a third of the data

    monkeypatch.setattr(services, "train", crippled)
    report = intake_train()
    assert not report.replaced
    assert "worse" in report.reason
    assert path.read_bytes() == before
    forced = intake_train(force=True)
    assert forced.replaced and path.read_bytes() != before


def test_training_is_deterministic(built_model, tmp_path):
    from youlin.intake.services import intake_build

    again = tmp_path / "again.npz"
    intake_build(path=again)
    a, b = Model.load(built_model[0]), Model.load(again)
    assert a.labels == b.labels and a.vocabulary == b.vocabulary
    assert np.array_equal(a.coef, b.coef) and a.meta["data"] == b.meta["data"]


def test_inactive_category_of_a_correction_is_still_kept(users, clock):
    case = f.register(users.spk_grid)
    old = Category.objects.get(kind="matter", code="06080")
    correction = correction_record(actor=None, case=case, old_category=old, new_category=f.category("06036"))
    assert correction.actor is None


def test_staff_read_the_corrections_of_their_community_in_the_admin(users, clock, client):
    case = f.register(users.spk_grid)
    correction_record(actor=users.spk_staff, case=case, old_category=case.category, new_category=f.category("06036"))
    client.force_login(users.district)
    response = client.get("/admin/intake/categorycorrection/")
    assert response.status_code == 200
    assert case.number in response.content.decode()
