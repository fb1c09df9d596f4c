"""The OpenAPI 3.0 description of /api/v1, written by hand next to the routes it describes."""

from __future__ import annotations

from typing import Any

TEXT = {"type": "object", "additionalProperties": {"type": "string"}, "description": "A text per language code"}
NULLABLE_TEXT = {**TEXT, "nullable": True}
NUMBER = {"type": "number", "nullable": True}


def _json(schema_ref: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}}}


def _errors(*codes: int) -> dict[str, Any]:
    reasons = {401: "Missing or invalid API token", 404: "No such consultation or profile", 422: "Invalid parameter"}
    return {str(code): {"description": reasons[code], **_json("Error")} for code in codes}


SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"}}

POPULATION = {
    "type": "object",
    "required": ["n", "suppressed"],
    "properties": {
        "value": {}, "n": {"type": "integer", "nullable": True}, "n_eff": NUMBER, "H": NUMBER,
        "H_ci": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2, "nullable": True},
        "A": NUMBER, "M0": NUMBER,
        "censored_headcounts": {"type": "object", "additionalProperties": {"type": "number"}},
        "contributions": {"type": "object", "additionalProperties": {"type": "number"}},
        "deprived_share": {"type": "object", "additionalProperties": {"type": "number"}},
        "reliable": {"type": "boolean"}, "suppressed": {"type": "boolean"},
        "suppression": {"type": "string", "enum": ["small", "complementary"],
                        "description": "On a hidden entry: small (fewer than min_cell), or complementary (hidden so that a small one cannot be subtracted out)"},
        "sensitivity": {"type": "object", "properties": {"low": {"type": "number"}, "high": {"type": "number"}},
                        "description": "With a coverage declaration: H if the people the consultation did not reach were as deprived "
                                       "as the least and the most deprived group observed (never inside H_ci)"},
    },
}
REPRESENTATIVENESS = {
    "type": "object",
    "properties": {
        "weighting": {"type": "object"}, "variables": {"type": "object"}, "helpers": {"type": "object", "nullable": True},
        "offline_share": NUMBER,
        "warnings": {"type": "array", "description": "What may make the figures wrong, to show before them", "items": {
            "type": "object", "required": ["code", "variable", "text"], "properties": {
                "code": {"type": "string", "description": "unreached: nothing corrects for people without a phone of their own"},
                "variable": {"type": "string"}, "text": TEXT, "title": TEXT}}},
        "coverage": {"type": "object", "description": "Who a phone consultation could not reach (the flow's profile.coverage)", "properties": {
            "question": {"type": "string"}, "unreached": {"type": "array", "items": {"type": "string"}},
            "sample_share": NUMBER, "weighted_share": NUMBER, "population_share": NUMBER, "suppressed": {"type": "boolean"},
            "by_channel": {"type": "array", "items": {"type": "object", "properties": {
                "channel": {"type": "string"}, "offline": {"type": "boolean"}, "respondents": {"type": "integer", "nullable": True},
                "share": NUMBER, "suppressed": {"type": "boolean"}}}},
            "sensitivity": {"type": "object", "nullable": True}}},
    },
}


def openapi_document() -> dict[str, Any]:
    """The API's OpenAPI document."""
    get = lambda summary, ok, params=(), errors=(401, 404): {  # noqa: E731
        "summary": summary, "parameters": list(params), "responses": {"200": ok, **_errors(*errors)},
        "security": [{"bearer": []}],
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "Palabre API", "version": "1.0.0",
                 "description": "Read-only access to consultations, exclusion-risk profiles, responses (pseudonymous) and actions."},
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error", "status"], "properties": {"error": {"type": "string"}, "status": {"type": "integer"}}},
                "ConsultationSummary": {
                    "type": "object", "required": ["slug", "title", "status", "languages", "responses"],
                    "properties": {
                        "slug": {"type": "string"}, "title": TEXT, "status": {"type": "string", "enum": ["draft", "open", "closed"]},
                        "languages": {"type": "array", "items": {"type": "string"}},
                        "purposes": {"type": "array", "items": {"type": "string"}}, "commitment": NULLABLE_TEXT,
                        "keywords": {"type": "array", "items": {"type": "string"}},
                        "opened_at": {"type": "string", "format": "date-time", "nullable": True},
                        "responses": {"type": "object", "additionalProperties": {"type": "integer"}},
                    },
                },
                "ConsultationList": {"type": "object", "required": ["consultations"], "properties": {
                    "consultations": {"type": "array", "items": {"$ref": "#/components/schemas/ConsultationSummary"}}}},
                "Consultation": {"allOf": [{"$ref": "#/components/schemas/ConsultationSummary"}, {"type": "object", "required": ["questions"], "properties": {
                    "questions": {"type": "array", "items": {"type": "object", "required": ["id", "type"], "properties": {
                        "id": {"type": "string"}, "type": {"type": "string"}, "prompt": TEXT, "optional": {"type": "boolean"},
                        "choices": {"type": "array", "items": {"type": "object", "properties": {"code": {"type": "string"}, "label": TEXT}}}}}}}}]},
                "Population": POPULATION,
                "Profile": {"type": "object", "required": ["computed_at", "overall", "groups", "robustness"], "properties": {
                    "computed_at": {"type": "string", "format": "date-time"}, "responses": {"type": "integer"},
                    "overall": {"$ref": "#/components/schemas/Population"},
                    "groups": {"type": "object", "additionalProperties": {"type": "array", "items": {"$ref": "#/components/schemas/Population"}}},
                    "robustness": {"type": "array", "items": {"type": "object", "properties": {"cutoff": {"type": "number"}, "H": NUMBER, "M0": NUMBER}}},
                    "representativeness": REPRESENTATIVENESS, "funnel": {"type": "object"},
                    "findings": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}}},
                "ActionList": {"type": "object", "required": ["actions"], "properties": {"actions": {"type": "array", "items": {
                    "type": "object", "required": ["id", "title", "status"], "properties": {
                        "id": {"type": "integer"}, "title": TEXT, "description": TEXT, "dimension": {"type": "string", "nullable": True},
                        "groups": {"type": "array", "items": {"type": "object", "properties": {"variable": {"type": "string"}, "value": {"type": "string"}}}},
                        "status": {"type": "string", "enum": ["planned", "in_progress", "done"]},
                        "date": {"type": "string", "format": "date", "nullable": True}}}}}},
            },
        },
        "paths": {
            "/api/v1/consultations": {"get": get("List consultations", {"description": "Consultations", **_json("ConsultationList")}, errors=(401,))},
            "/api/v1/consultations/{slug}": {"get": get("One consultation with its questions", {"description": "The consultation", **_json("Consultation")}, [SLUG])},
            "/api/v1/consultations/{slug}/profile": {"get": get("The latest exclusion-risk profile", {"description": "The latest snapshot", **_json("Profile")}, [SLUG])},
            "/api/v1/consultations/{slug}/responses.csv": {"get": get(
                "Responses as CSV (pseudonymous)", {"description": "One row per conversation", "content": {"text/csv": {"schema": {"type": "string"}}}},
                [SLUG, {"name": "status", "in": "query", "required": False, "schema": {"type": "string", "enum": ["all", "active", "completed", "declined", "expired", "opted_out"]}}],
                errors=(401, 404, 422))},
            "/api/v1/consultations/{slug}/actions": {"get": get("The actions committed to", {"description": "Actions", **_json("ActionList")}, [SLUG])},
        },
    }
