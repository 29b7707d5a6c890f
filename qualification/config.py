"""A scoring config is data: per indicator a normalization, a weight and an optional curve; dimension weights;
class thresholds and first-contact SLAs; recommended-action and tag rules. This module holds the shipped default
and checks a definition, saying what is wrong and where (``indicators.budget.curve.k: must be > 0``)."""

from __future__ import annotations

import copy
import math

from django.utils.translation import gettext as _

from common.errors import ApplicationError
from qualification.indicators import DIMENSIONS, INDICATORS

CLASSES = ("hot", "warm", "cold")
ACTIONS = ("schedule_meeting", "send_material", "nurture", "discard")
NORMALIZATIONS = ("map", "range", "boolean", "raw")
CURVES = ("saturation", "decay", "power", "sigmoid")
RULE_FEATURES = (*INDICATORS, "score", "class", "segment", "probability")
CONDITION_OPS = ("in", "not_in", "gte", "lte", "present", "absent")


class ConfigInvalid(ApplicationError):
    code = "scoring_config_invalid"


DEFAULT_DEFINITION: dict = {
    "dimensions": {
        "interest": {"weight": 0.22, "prior": 0.4},
        "financial": {"weight": 0.18, "prior": 0.35},
        "urgency": {"weight": 0.15, "prior": 0.35},
        "buying_stage": {"weight": 0.17, "prior": 0.3},
        "objections": {"weight": 0.10, "prior": 0.6},
        "engagement": {"weight": 0.18, "prior": 0.2},
    },
    "indicators": {
        "intent": {
            "weight": 3,
            "neutral": 0.5,
            "normalize": {
                "type": "map",
                "values": {
                    "interested": 1.0,
                    "schedule_meeting": 1.0,
                    "price_question": 0.8,
                    "wants_info": 0.7,
                    "other": 0.4,
                    "already_bought": 0.05,
                    "not_interested": 0.0,
                    "opt_out": 0.0,
                    "wrong_person": 0.0,
                },
            },
        },
        "interest_type": {
            "weight": 1,
            "neutral": 0.5,
            "normalize": {
                "type": "map",
                "values": {
                    "apartment": 0.8,
                    "house": 0.75,
                    "investment": 0.9,
                    "commercial": 0.7,
                    "land": 0.6,
                    "other": 0.5,
                },
            },
        },
        "source_kind": {
            "weight": 1,
            "neutral": 0.6,
            "normalize": {
                "type": "map",
                "values": {
                    "referral": 1.0,
                    "whatsapp_inbound": 0.9,
                    "web_form": 0.8,
                    "ads": 0.6,
                    "api": 0.6,
                    "manual_import": 0.5,
                    "historical": 0.3,
                },
            },
        },
        "recurrence": {
            "weight": 1,
            "neutral": 0.0,
            "normalize": {"type": "raw"},
            "curve": {"type": "saturation", "k": 1.5},
        },
        "budget": {
            "weight": 1,
            "neutral": 0.4,
            "normalize": {"type": "range", "min": 150_000, "max": 2_000_000, "scale": "log"},
            "curve": {"type": "power", "exponent": 0.8},
        },
        "urgency": {
            "weight": 2,
            "neutral": 0.5,
            "normalize": {"type": "map", "values": {"high": 1.0, "medium": 0.6, "low": 0.2}},
        },
        "interest_age_days": {
            "weight": 1,
            "neutral": 0.5,
            "normalize": {"type": "raw"},
            "curve": {"type": "decay", "half_life": 10},
        },
        "buying_stage": {
            "weight": 2,
            "neutral": 0.5,
            "normalize": {"type": "map", "values": {"awareness": 0.3, "consideration": 0.6, "decision": 1.0}},
        },
        "pipeline_stage": {
            "weight": 1,
            "neutral": 0.4,
            "normalize": {
                "type": "map",
                "values": {
                    "new": 0.3,
                    "contacted": 0.45,
                    "qualified": 0.65,
                    "meeting": 0.85,
                    "proposal": 0.95,
                    "nurturing": 0.25,
                },
            },
        },
        "objections": {
            "weight": 1,
            "neutral": 0.7,
            "normalize": {"type": "range", "min": 0, "max": 3, "invert": True},
        },
        "sentiment": {
            "weight": 1,
            "neutral": 0.6,
            "normalize": {"type": "map", "values": {"positive": 1.0, "neutral": 0.6, "negative": 0.1}},
        },
        "messages_in": {
            "weight": 1.5,
            "neutral": 0.3,
            "normalize": {"type": "raw"},
            "curve": {"type": "saturation", "k": 2},
        },
        "reply_age_days": {
            "weight": 1,
            "neutral": 0.5,
            "normalize": {"type": "raw"},
            "curve": {"type": "decay", "half_life": 7},
        },
        "replied": {"weight": 1, "neutral": 0.5, "normalize": {"type": "boolean"}},
        "touches": {
            "weight": 0.5,
            "neutral": 0.0,
            "normalize": {"type": "raw"},
            "curve": {"type": "saturation", "k": 1},
        },
    },
    "classes": {"hot": 65, "warm": 40},
    "sla_minutes": {"hot": 25, "warm": 90, "cold": 360},
    "actions": [
        {
            "action": "discard",
            "all": [{"feature": "intent", "in": ["not_interested", "opt_out", "wrong_person", "already_bought"]}],
        },
        {"action": "schedule_meeting", "all": [{"feature": "intent", "in": ["schedule_meeting"]}]},
        {
            "action": "schedule_meeting",
            "all": [{"feature": "class", "in": ["hot"]}, {"feature": "buying_stage", "in": ["decision"]}],
        },
        {"action": "send_material", "all": [{"feature": "class", "in": ["hot", "warm"]}]},
        {"action": "nurture", "all": []},
    ],
    "tags": [
        {
            "tag": "interesse/apartamento/alto-padrão",
            "all": [{"feature": "interest_type", "in": ["apartment"]}, {"feature": "budget", "gte": 1_000_000}],
        },
        {
            "tag": "interesse/apartamento/compacto",
            "all": [{"feature": "interest_type", "in": ["apartment"]}, {"feature": "budget", "lte": 400_000}],
        },
        {
            "tag": "interesse/casa/alto-padrão",
            "all": [{"feature": "interest_type", "in": ["house"]}, {"feature": "budget", "gte": 1_000_000}],
        },
        {"tag": "interesse/terreno", "all": [{"feature": "interest_type", "in": ["land"]}]},
        {"tag": "interesse/comercial", "all": [{"feature": "interest_type", "in": ["commercial"]}]},
        {"tag": "perfil/investidor", "all": [{"feature": "interest_type", "in": ["investment"]}]},
        {"tag": "urgência/alta", "all": [{"feature": "urgency", "in": ["high"]}]},
        {"tag": "objeção/várias", "all": [{"feature": "objections", "gte": 2}]},
    ],
}


def default_definition() -> dict:
    return copy.deepcopy(DEFAULT_DEFINITION)


def _number(value, path: str, errors: list, *, low: float | None = None, strict_low: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        errors.append(f"{path}: " + _("must be a number"))
    elif low is not None and (value <= low if strict_low else value < low):
        errors.append(f"{path}: " + (_("must be > %(n)s") if strict_low else _("must be ≥ %(n)s")) % {"n": low})


def _unit(value, path: str, errors: list) -> None:
    _number(value, path, errors, low=0)
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 1:
        errors.append(f"{path}: " + _("must be between 0 and 1"))


def _check_indicator(key: str, spec, errors: list) -> None:
    path = f"indicators.{key}"
    if key not in INDICATORS:
        errors.append(f"{path}: " + _("unknown indicator (known: %(known)s)") % {"known": ", ".join(INDICATORS)})
        return
    if not isinstance(spec, dict):
        errors.append(f"{path}: " + _("must be an object"))
        return
    _number(spec.get("weight"), f"{path}.weight", errors, low=0)
    _unit(spec.get("neutral", 0.5), f"{path}.neutral", errors)
    norm = spec.get("normalize")
    if not isinstance(norm, dict) or norm.get("type") not in NORMALIZATIONS:
        errors.append(f"{path}.normalize.type: " + _("must be one of %(v)s") % {"v": ", ".join(NORMALIZATIONS)})
        return
    kind = norm["type"]
    if kind == "map":
        values = norm.get("values")
        if not isinstance(values, dict) or not values:
            errors.append(f"{path}.normalize.values: " + _("must map each category to a value between 0 and 1"))
        else:
            for name, value in values.items():
                _unit(value, f"{path}.normalize.values.{name}", errors)
    elif kind == "range":
        _number(norm.get("min"), f"{path}.normalize.min", errors)
        _number(norm.get("max"), f"{path}.normalize.max", errors)
        low, high = norm.get("min"), norm.get("max")
        if isinstance(low, int | float) and isinstance(high, int | float) and high <= low:
            errors.append(f"{path}.normalize.max: " + _("must be greater than min"))
        if norm.get("scale", "linear") not in ("linear", "log"):
            errors.append(f"{path}.normalize.scale: " + _("must be linear or log"))
        elif norm.get("scale") == "log" and isinstance(low, int | float) and low <= 0:
            errors.append(f"{path}.normalize.min: " + _("must be > 0 on a log scale"))
    elif kind in ("map", "boolean") and INDICATORS[key].kind == "number":
        errors.append(f"{path}.normalize.type: " + _("a numeric indicator needs range or raw"))
    curve = spec.get("curve")
    if kind == "raw" and not (isinstance(curve, dict) and curve.get("type") in ("saturation", "decay")):
        errors.append(f"{path}.curve: " + _("a raw value needs a saturation or decay curve to land between 0 and 1"))
    if curve is None:
        return
    if not isinstance(curve, dict) or curve.get("type") not in CURVES:
        errors.append(f"{path}.curve.type: " + _("must be one of %(v)s") % {"v": ", ".join(CURVES)})
        return
    needs = {
        "saturation": ("k",),
        "decay": ("half_life",),
        "power": ("exponent",),
        "sigmoid": ("midpoint", "steepness"),
    }
    for param in needs[curve["type"]]:
        if param == "midpoint":
            _unit(curve.get(param), f"{path}.curve.{param}", errors)
        else:
            _number(curve.get(param), f"{path}.curve.{param}", errors, low=0, strict_low=True)


def _check_rules(rules, section: str, key: str, allowed, errors: list) -> None:
    if not isinstance(rules, list):
        errors.append(f"{section}: " + _("must be a list of rules"))
        return
    for i, rule in enumerate(rules):
        path = f"{section}[{i}]"
        if not isinstance(rule, dict):
            errors.append(f"{path}: " + _("must be an object"))
            continue
        target = rule.get(key)
        if allowed is not None and target not in allowed:
            errors.append(f"{path}.{key}: " + _("must be one of %(v)s") % {"v": ", ".join(allowed)})
        elif allowed is None and (not isinstance(target, str) or not target.strip("/ ")):
            errors.append(f"{path}.{key}: " + _("must be a tag path such as interesse/apartamento"))
        for group in ("all", "any"):
            for j, cond in enumerate(rule.get(group) or []):
                cpath = f"{path}.{group}[{j}]"
                if not isinstance(cond, dict) or cond.get("feature") not in RULE_FEATURES:
                    errors.append(f"{cpath}.feature: " + _("must be one of %(v)s") % {"v": ", ".join(RULE_FEATURES)})
                    continue
                ops = [op for op in CONDITION_OPS if op in cond]
                if len(ops) != 1:
                    errors.append(f"{cpath}: " + _("needs exactly one of %(v)s") % {"v": ", ".join(CONDITION_OPS)})
                elif ops[0] in ("in", "not_in") and not isinstance(cond[ops[0]], list):
                    errors.append(f"{cpath}.{ops[0]}: " + _("must be a list"))
                elif ops[0] in ("gte", "lte"):
                    _number(cond[ops[0]], f"{cpath}.{ops[0]}", errors)


def definition_errors(definition) -> list[str]:
    """Every problem of ``definition``, each as ``path: message``; empty when it can be used."""
    errors: list[str] = []
    if not isinstance(definition, dict):
        return ["$: " + _("must be an object")]
    dims = definition.get("dimensions")
    if not isinstance(dims, dict) or set(dims) != set(DIMENSIONS):
        errors.append("dimensions: " + _("must weigh exactly these dimensions: %(v)s") % {"v": ", ".join(DIMENSIONS)})
    else:
        for name, spec in dims.items():
            _number((spec or {}).get("weight"), f"dimensions.{name}.weight", errors, low=0)
            _unit((spec or {}).get("prior", 0.35), f"dimensions.{name}.prior", errors)
        if not errors and sum(spec["weight"] for spec in dims.values()) <= 0:
            errors.append("dimensions: " + _("at least one weight must be above 0"))
    indicators = definition.get("indicators")
    if not isinstance(indicators, dict) or not indicators:
        errors.append("indicators: " + _("must configure at least one indicator"))
    else:
        for key, spec in indicators.items():
            _check_indicator(key, spec, errors)
    classes = definition.get("classes") or {}
    _number(classes.get("hot"), "classes.hot", errors, low=0)
    _number(classes.get("warm"), "classes.warm", errors, low=0)
    if not errors and not (0 <= classes["warm"] < classes["hot"] <= 100):
        errors.append("classes: " + _("need 0 ≤ warm < hot ≤ 100"))
    sla = definition.get("sla_minutes") or {}
    for name in CLASSES:
        _number(sla.get(name), f"sla_minutes.{name}", errors, low=0, strict_low=True)
    _check_rules(definition.get("actions", []), "actions", "action", ACTIONS, errors)
    _check_rules(definition.get("tags", []), "tags", "tag", None, errors)
    return errors


def definition_check(definition) -> dict:
    errors = definition_errors(definition)
    if errors:
        raise ConfigInvalid(
            _("The scoring config has %(n)d problem(s): %(list)s") % {"n": len(errors), "list": "; ".join(errors)}
        )
    return definition
