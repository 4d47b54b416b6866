"""The bench's rules file: the default rules with the quota lifted (removed) or set."""
from __future__ import annotations

import pytest

from bench.scale.procs import bench_rules_file
from domain.rules import RegistrationRules
from domain.rules.store import read_yaml


@pytest.mark.parametrize("quota", [None, 5])
def test_the_bench_rules_lift_the_quota_or_set_it(tmp_path, quota):
    content = read_yaml(bench_rules_file(tmp_path, quota).read_text(encoding="utf-8"))
    assert RegistrationRules.from_dict(content["registration"]).open_quota == quota
