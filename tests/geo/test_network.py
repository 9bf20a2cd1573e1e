def test_vendored_geometry_facts_are_current():
    """data/theatre_geometry.json equals what the river and lake geometry give now
    (rewrite it with ``python -m campaign.geo.network`` after changing the map data)."""
    import json

    from campaign.geo.gazetteer import load_data_yaml, load_gazetteer, read_data_text
    from campaign.geo.network import (
        GEOMETRY_FACTS_FILE,
        parse_links,
        theatre_geometry_facts,
    )

    places = load_gazetteer()
    links = parse_links(load_data_yaml("links.yaml"), places)
    vendored = json.loads(read_data_text(GEOMETRY_FACTS_FILE))
    fresh = json.loads(json.dumps(theatre_geometry_facts(places, links)))
    assert vendored == fresh
