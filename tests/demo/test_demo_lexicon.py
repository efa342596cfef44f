"""The generator's own data files load and are consistent."""

from __future__ import annotations

from cablemirror.demo.lexicon import load_lexicon


def test_stations_are_unique_and_complete() -> None:
    lex = load_lexicon()
    stations = lex.stations
    assert len(stations) > 150
    assert stations[0].token == "STATE" and stations[0].origin == "Secretary of State"
    assert len({s.token for s in stations}) == len(stations)
    assert len({s.routing for s in stations}) == len(stations)
    for s in stations:
        assert s.token == s.display.replace(" ", "") and s.token.isalpha() and s.token.isupper()
        assert s.routing.startswith("R") and s.sender and s.origin
        assert s.address == f"{s.routing}/{s.sender}"
    by = {s.token: s for s in stations}
    assert by["TAIPEI"].origin == "American Institute Taiwan, Taipei"
    assert by["HOCHIMINHCITY"].origin == "Consulate Ho Chi Minh City"
    assert by["REYKJAVIK"].sender == "AMEMBASSY REYKJAVIK"


def test_word_lists_templates_and_parts() -> None:
    lex = load_lexicon()
    assert set(lex.topics) >= {"politics", "economy", "security", "rights"}
    assert len(lex.words["nouns"]) > 300 and len(lex.words["adjectives"]) > 150
    assert {v.past for v in lex.verbs["say"]} >= {"said", "noted"}
    assert len(lex.verbs["act"]) > 100
    for topic in lex.topics:
        assert lex.parts[f"tags.{topic}"], topic
    for name in ("sentence", "clause", "source", "np", "subj", "pp", "subject", "heading"):
        assert lex.templates[name], name
    # no control characters in the data: they are the generator's markers
    for words in lex.words.values():
        assert all(w.isprintable() for w in words)
