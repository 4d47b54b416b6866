"""Customers filed by an older matcher are brought up to date: keys that
moved (KEY_VERSION) and the index tokens, so lookups find them again."""
from __future__ import annotations

from sqlalchemy import delete, insert, select, text, update

from handlers.customers.reindex import reindex_customers
from handlers.customers.search import index_customer, lookup
from handlers.imports.customer_entry import import_customers
from models import Customer, CustomerToken


def _file_as_older_code_did(factory, name: str, old_key: str, old_tokens: list[str]) -> int:
    with factory() as s, s.begin():
        cid = s.execute(select(Customer.id).where(Customer.name == name)).scalar_one()
        s.execute(update(Customer).where(Customer.id == cid).values(name_key=old_key))
        s.execute(delete(CustomerToken).where(CustomerToken.customer_id == cid))
        if old_tokens:
            s.execute(insert(CustomerToken.__table__), [{"token": t, "customer_id": cid} for t in old_tokens])
    return cid


def test_reindex_moves_keys_and_tokens(app):
    factory = app.extensions["qudao"].factory
    import_customers(factory, [{"name": "国药控股北京分公司"}, {"name": "杭州市第一人民医院东院"}])
    # KEY_VERSION 1 cut 分公司 in half and kept a campus in the core
    _file_as_older_code_did(factory, "国药控股北京分公司", "|国药控股北京分||",
                            ["cp:国药控股北京分|", "c:国药控股北京分"])
    _file_as_older_code_did(factory, "杭州市第一人民医院东院", "浙江省>杭州市|第1人民医院东院||",
                            ["cp:第1人民医院东院|杭州市", "c:第1人民医院东院"])
    with factory() as s:
        assert lookup(s, "国药控股股份有限公司北京分公司").verdict == "distinct"
        assert lookup(s, "杭州市第一人民医院").verdict == "distinct"

    report = reindex_customers(factory, batch=1)
    assert (report.customers, report.keys_changed, report.collisions) == (10, 2, [])   # the 8 demo customers too
    with factory() as s:
        m = lookup(s, "国药控股股份有限公司北京分公司")
        assert (m.verdict, m.matched.name) == ("duplicate", "国药控股北京分公司")
        m = lookup(s, "杭州市第一人民医院")
        assert (m.verdict, m.matched.name) == ("possible", "杭州市第一人民医院东院")
    again = reindex_customers(factory)
    assert (again.keys_changed, again.collisions) == (0, [])


def test_two_rows_now_known_to_be_one_are_left_for_a_person(app):
    factory = app.extensions["qudao"].factory
    import_customers(factory, [{"name": "国药控股股份有限公司北京分公司"}])
    # filed by older code, which read it as another customer (国药控股北京分)
    with factory() as s, s.begin():
        created_at = s.execute(select(Customer.created_at)).scalars().first()
        s.execute(insert(Customer.__table__), [{"name": "国药控股北京分公司", "name_key": "|国药控股北京分||",
                                               "source": "import", "created_at": created_at}])
        ids = dict(s.execute(select(Customer.name, Customer.id)).all())
    report = reindex_customers(factory)
    assert report.collisions == [(ids["国药控股北京分公司"], ids["国药控股股份有限公司北京分公司"])]
    with factory() as s:
        kept = s.execute(select(Customer.name_key).where(Customer.id == ids["国药控股北京分公司"])).scalar_one()
    assert kept == "|国药控股北京分||"


def test_upgrading_the_schema_refiles_customers_filed_by_older_code(tmp_path):
    """`serve` / `migrate` on a database last migrated before the key change
    re-files its customers by itself (migration 0007)."""
    from alembic import command

    from domain.matching import analyse
    from models.db import alembic_config, make_engine, make_session_factory
    engine = make_engine(f"sqlite:///{tmp_path}/old.sqlite3")
    cfg = alembic_config(engine)
    command.upgrade(cfg, "0006")
    factory = make_session_factory(engine)
    # The row as a 0006 database holds it: written with that schema's columns (the
    # model knows columns later migrations add).
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO customers (name, name_key, source, created_at) "
                          "VALUES ('国药控股北京分公司', '|国药控股北京分||', 'chat', '2026-11-01 00:00:00.000000')"))
    command.upgrade(cfg, "head")
    with factory() as s:
        row = s.execute(select(Customer)).scalar_one()
        assert row.name_key == analyse("国药控股北京分公司").key != "|国药控股北京分||"
        assert s.execute(select(CustomerToken.token).where(CustomerToken.customer_id == row.id)).scalars().all()
        m = lookup(s, "国药控股股份有限公司北京分公司")
        assert (m.verdict, m.matched.name) == ("duplicate", "国药控股北京分公司")
    engine.dispose()


def test_upgrading_past_0014_files_customers_by_how_they_sound(tmp_path):
    """A database filed by key version 2 (pinyin with spaces, no English names):
    after the upgrade a pinyin registration finds the customer, and a customer
    given an English name is found by it."""
    from alembic import command

    from models.db import alembic_config, make_engine, make_session_factory
    engine = make_engine(f"sqlite:///{tmp_path}/v2.sqlite3")
    cfg = alembic_config(engine)
    command.upgrade(cfg, "0010")
    factory = make_session_factory(engine)
    with factory() as s, s.begin():
        s.execute(text("INSERT INTO customers (name, name_key, source, created_at) "
                       "VALUES ('北京协和医院', '北京市|协和医院||', 'import', '2026-11-01 00:00:00')"))
        s.execute(text("INSERT INTO customer_tokens (token, customer_id) "
                       "VALUES ('pp:xie he yi yuan|北京市', 1), ('cp:协和医院|北京市', 1)"))
    command.upgrade(cfg, "head")
    with factory() as s:
        tokens = set(s.execute(select(CustomerToken.token)).scalars())
        assert "pp:xie he yi yuan|北京市" not in tokens and "pp:xieheyiyuan|beijing" in tokens
        assert "b:协和" in tokens                      # its body, anywhere (查询 协和)
        m = lookup(s, "Beijing Xiehe Hospital")
        assert (m.verdict, m.matched.name) == ("duplicate", "北京协和医院")
    with factory() as s, s.begin():
        row = s.execute(select(Customer)).scalar_one()
        row.english_name = "Dongdan Medical Campus"        # a name no reading of 北京协和医院 gives
        index_customer(s, row)
    with factory() as s:
        m = lookup(s, "DONGDAN MEDICAL CAMPUS")
        assert (m.verdict, m.matched.name) == ("duplicate", "北京协和医院") and "英文名" in m.reason
    engine.dispose()


def test_a_key_freed_by_a_later_batch_is_taken_after_all(app):
    """Customer A's new key is B's old one, and B (a later batch) moves off it:
    not a collision once the run is over."""
    factory = app.extensions["qudao"].factory
    import_customers(factory, [{"name": "国药控股北京分公司"}, {"name": "杭州市第一人民医院东院"}])
    with factory() as s:
        ids = dict(s.execute(select(Customer.name, Customer.id)).all())
        new_key_a = s.execute(select(Customer.name_key).where(Customer.id == ids["国药控股北京分公司"])).scalar_one()
    assert ids["国药控股北京分公司"] < ids["杭州市第一人民医院东院"]
    _file_as_older_code_did(factory, "国药控股北京分公司", "old-key-a", [])
    _file_as_older_code_did(factory, "杭州市第一人民医院东院", new_key_a, [])   # B sits on A's new key
    report = reindex_customers(factory, batch=1)
    assert report.collisions == [] and report.keys_changed == 2
    with factory() as s:
        key_a = s.execute(select(Customer.name_key).where(Customer.id == ids["国药控股北京分公司"])).scalar_one()
        assert key_a == new_key_a
