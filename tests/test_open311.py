"""Open311 GeoReport v2 (read only), on both databases: discovery, services, requests and
servicerequestupdates in JSON and XML, checked field by field against the specification, and against
the public pages: the public questions only, their published text, never who asked; no invented
coordinates."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from dialogue.questions.tables import Question
from tests.pinned import NOW
from tests.test_accountability import concluded_record

BASE = "/open311/v2"
# GeoReport v2's fields of a service request, and those of a service (wiki.open311.org/GeoReport_v2)
REQUEST_FIELDS = {"service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "address"}
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
UPDATE_FIELDS = {"update_id", "service_request_id", "status", "updated_datetime", "description", "media_url"}
LONG_AGO = (NOW - dt.timedelta(days=400)).date().isoformat()


@pytest.fixture
async def record(demo_db):
    return await concluded_record(demo_db)


def is_w3c_moment(value: str) -> bool:
    moment = dt.datetime.fromisoformat(value)
    return moment.tzinfo is not None and value.endswith("+07:00")


async def fetch(client, path: str, status: int = 200):
    response = await client.get(BASE + path)
    assert response.status_code == status, response.text
    if path.split("?")[0].endswith(".xml"):
        assert response.headers["content-type"].startswith("text/xml")
        return ET.fromstring(response.content)
    return response.json()


async def test_discovery_lists_this_endpoint_in_both_formats(record, demo_client):
    found = await fetch(demo_client, "/discovery.json")
    endpoint = found["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and set(endpoint["formats"]) == {"application/json", "text/xml"}
    root = await fetch(demo_client, "/discovery.xml")
    assert root.tag == "discovery" and root.find("endpoints/endpoint/specification").text == endpoint["specification"]
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == endpoint["formats"]


async def test_services_are_the_topics(record, demo_client):
    services = await fetch(demo_client, "/services.json")
    assert {s["service_code"] for s in services} >= set(record["topics"])
    for service in services:
        assert set(service) == SERVICE_FIELDS and service["metadata"] is False and service["type"] == "realtime"
    root = await fetch(demo_client, "/services.xml?jurisdiction_id=dong-da")
    assert root.tag == "services"
    assert [s.find("service_code").text for s in root.findall("service")] == [s["service_code"] for s in services]
    assert {child.tag for child in root.find("service")} == SERVICE_FIELDS
    english = (await demo_client.get(BASE + "/services.json", headers={"Accept-Language": "en"})).json()
    assert "Environment, waste and flooding" in {s["service_name"] for s in english}


async def test_requests_are_the_public_questions_with_the_standard_fields(record, demo_client):
    codes = record["codes"]
    found = {r["service_request_id"]: r for r in await fetch(demo_client, f"/requests.json?start_date={LONG_AGO}")}
    api = {q["code"] for q in (await demo_client.get("/api/v1/questions?limit=100")).json()["items"]}
    assert set(found) == api  # the same public questions as the JSON API
    for request in found.values():
        assert REQUEST_FIELDS <= set(request) <= REQUEST_FIELDS | {"expected_datetime"}
        assert not {"lat", "long", "media_url"} & set(request)  # no map, no photo: nothing invented
        assert request["status"] in ("open", "closed")
        assert is_w3c_moment(request["requested_datetime"]) and is_w3c_moment(request["updated_datetime"])
    drainage, lights, rubbish = (found[codes[name]] for name in ("drainage", "lights", "rubbish"))
    assert drainage["status"] == "open"  # answered, its drainage survey still in progress
    assert drainage["agency_responsible"] == "Phòng Kinh tế, Hạ tầng và Đô thị phường Đống Đa"
    assert is_w3c_moment(drainage["expected_datetime"])  # the commitment's due date
    assert lights["status"] == "closed"  # answered, its commitment kept
    assert rubbish["status"] == "open" and rubbish["status_notes"] == "Đang chờ trả lời."
    assert drainage["description"].startswith("Ngập úng ngõ 42 phố Hoàng Cầu")
    for value in record["private"]:
        assert value not in str(found), value


async def test_the_standard_filters(record, demo_client):
    codes = record["codes"]
    everything = await fetch(demo_client, f"/requests.json?start_date={LONG_AGO}")
    closed = await fetch(demo_client, f"/requests.json?start_date={LONG_AGO}&status=closed")
    assert closed and {r["service_request_id"] for r in closed} == {
        r["service_request_id"] for r in everything if r["status"] == "closed"}
    by_id = await fetch(demo_client, f"/requests.json?service_request_id={codes['drainage']},{codes['lights']}")
    assert {r["service_request_id"] for r in by_id} == {codes["drainage"], codes["lights"]}
    environment = await fetch(demo_client, f"/requests.json?start_date={LONG_AGO}&service_code=environment")
    assert environment and all(r["service_code"] == "environment" for r in environment)
    two = await fetch(demo_client, f"/requests.json?start_date={LONG_AGO}&service_code=environment,traffic")
    assert {r["service_code"] for r in two} == {"environment", "traffic"}
    both = await fetch(demo_client, f"/requests.json?start_date={LONG_AGO}&status=open,closed")
    assert len(both) == len(everything)
    assert await fetch(demo_client, "/requests.json?start_date=2000-01-01&end_date=2000-02-01") == []
    problem = await fetch(demo_client, "/requests.json?start_date=2026-02-01&end_date=2026-01-01", 400)
    assert "start_date" in problem["errors"]
    for edge in ("end_date=0001-01-01", "start_date=0001-01-01", "end_date=9999-12-31T23:00:00-10:00",
                 "start_date=yesterday"):
        assert (await fetch(demo_client, f"/requests.json?{edge}", 400))["errors"]
    assert "status" in (await fetch(demo_client, "/requests.json?status=pending", 400))["errors"]


async def test_one_request_in_both_formats(record, demo_client):
    code = record["codes"]["drainage"]
    [as_json] = await fetch(demo_client, f"/requests/{code}.json")
    root = await fetch(demo_client, f"/requests/{code}.xml")
    assert root.tag == "service_requests"
    [element] = root.findall("request")
    assert {child.tag: child.text or "" for child in element} == {key: str(value) for key, value in as_json.items()}
    await fetch(demo_client, f"/requests/{code}.csv", 404)
    await fetch(demo_client, "/requests/AAAA-AAAA-AAAAA.json", 404)
    await Question.update({Question.public_consent: False}).where(Question.tracking_code == code.replace("-", ""))
    await fetch(demo_client, f"/requests/{code}.json", 404)  # no longer public: not there at all


async def test_updates_are_the_public_steps(record, demo_client):
    updates = await fetch(demo_client, f"/servicerequestupdates.json?start_date={LONG_AGO}")
    assert updates
    for update in updates:
        assert set(update) == UPDATE_FIELDS and is_w3c_moment(update["updated_datetime"])
    codes = {u["service_request_id"] for u in updates}
    assert record["codes"]["drainage"] in codes
    assert any(u["status"] == "closed" for u in updates if u["service_request_id"] == record["codes"]["drainage"])
    root = await fetch(demo_client, f"/servicerequestupdates.xml?start_date={LONG_AGO}")
    assert root.tag == "service_request_updates" and len(root.findall("request_update")) == len(updates)
    for value in record["private"]:
        assert value not in str(updates)


def test_xml_never_carries_what_xml_cannot():
    """Text pasted from another program can hold control characters: XML 1.0 cannot carry them, and the
    document must stay readable (they are dropped)."""
    from dialogue.opendata import open311

    update = open311.ServiceRequestUpdate(update_id="1", service_request_id="ABCD-EFGH-JKMNP", status="open",
                                          updated_datetime="2026-11-28T08:00:00+07:00",
                                          description="Ngập\x00 ngõ\x0b 12 \ud800<b>&", media_url="")
    root = ET.fromstring(open311.to_xml("service_request_updates", "request_update", [update]))
    assert root.find("request_update/description").text == "Ngập ngõ 12 <b>&"
