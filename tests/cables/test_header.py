"""Routing headers (typed for these tests)."""

from cablemirror.cables.header import parse_dtg, parse_header

HEADER = """VZCZCXRO1234
PP RUEHAA RUEHBB
DE RUEHXX #0042/01 0421700
ZNY CCCCC ZZH
P 111700Z FEB 07
FM AMEMBASSY SOMEWHERE
TO RUEHC/SECSTATE WASHDC PRIORITY 1234
RUEHZZ/SOME POSTS COLLECTIVE
XMT AMEMBASSY ONE
AMEMBASSY TWO
INFO RUEHAA/AMEMBASSY ELSEWHERE 0007
RUEKJCS/SECDEF WASHDC NIACT IMMEDIATE
BT
"""


def test_header_fields():
    h = parse_header(HEADER)
    assert h.transmission_id == "VZCZCXRO1234"
    assert h.dtg == "2007-02-11T17:00:00"
    assert h.precedence == "P"
    assert h.sender == "AMEMBASSY SOMEWHERE"
    assert [r.to_dict() for r in h.recipients] == [
        {"route": "RUEHC", "name": "SECSTATE WASHDC", "precedence": "PRIORITY", "mcn": "1234", "excluded": []},
        {"route": "RUEHZZ", "name": "SOME POSTS COLLECTIVE", "precedence": None, "mcn": None,
         "excluded": ["AMEMBASSY ONE", "AMEMBASSY TWO"]},
    ]
    assert [(r.route, r.name, r.precedence, r.mcn) for r in h.info_recipients] == [
        ("RUEHAA", "AMEMBASSY ELSEWHERE", None, "0007"),
        ("RUEKJCS", "SECDEF WASHDC", "NIACT IMMEDIATE", None),
    ]


def test_old_header_and_page_lines():
    h = parse_header("R 010930Z JAN 75\nFM SECSTATE WASHDC\nTO PAGE 02  STATE  000123  010931Z\n"
                     "AMEMBASSY PARIS PRIORITY\nINFO AMEMBASSY ROME")
    assert h.dtg == "1975-01-01T09:30:00"
    assert [(r.route, r.name, r.precedence) for r in h.recipients] == [(None, "AMEMBASSY PARIS", "PRIORITY")]
    assert [r.name for r in h.info_recipients] == ["AMEMBASSY ROME"]


def test_header_odd_input():
    assert parse_header("").recipients == []
    assert parse_header("INFO XMT SOMEONE").info_recipients == []
    assert parse_dtg("31", "2500", "FEB", "07") is None
