"""Prints the TL schema of the installed Telethon (Debian python3-telethon) as mtcute-style JSON.

Telethon ships its layer's schema only as generated Python: each constructor's `from_reader`
reads its fields in wire order, so the wire layout (types, flag bits, vectors) is read back from
that code. Output: {"l": LAYER, "e": [{"kind", "name", "id", "type", "arguments"}]} on stdout.
Constructor names follow TL (`dcOption`, `auth.sentCode`, `help.getConfig`).
"""
import inspect
import json
import re

from telethon.tl import alltlobjects
from telethon.tl.tlobject import TLRequest

READERS = {
    "read_int": "int",
    "read_long": "long",
    "read_double": "double",
    "tgread_string": "string",
    "tgread_bytes": "bytes",
    "tgread_bool": "Bool",
    "tgread_date": "int",
    "tgread_object": "Object",
}
FLAGS = re.compile(r"^(flags\d*) = reader\.read_int\(\)$")
TRUE_FLAG = re.compile(r"^_(\w+) = bool\((flags\d*) & (\d+)\)$")
CONDITION = re.compile(r"^if (flags\d*) & (\d+):$")
READ = re.compile(r"^_(\w+) = reader\.(\w+)\((.*)\)$")
VECTOR = re.compile(r"^_(\w+) = \[\]$")


def tl_name(cls):
    module = cls.__module__.split(".")
    namespace = module[3] if len(module) > 3 else None
    name = cls.__name__
    if issubclass(cls, TLRequest) and name.endswith("Request"):
        name = name[: -len("Request")]
    name = name[0].lower() + name[1:]
    return namespace + "." + name if namespace else name


def field_name(name):
    return "self" if name == "is_self" else name.rstrip("_")


def read_type(function, arguments):
    if function == "read_large_int":
        return "int256" if "256" in arguments else "int128"
    return READERS.get(function, "Object")


def params_of(cls):
    params, condition, vector = [], None, None
    for raw in inspect.getsource(cls.from_reader.__func__).splitlines()[2:]:
        line = raw.strip()
        m = FLAGS.match(line)
        if m:
            params.append({"name": m.group(1), "type": "#"})
            continue
        m = TRUE_FLAG.match(line)
        if m:
            bit = int(m.group(3)).bit_length() - 1
            params.append({"name": field_name(m.group(1)), "type": "true",
                           "typeModifiers": {"predicate": "%s.%d" % (m.group(2), bit)}})
            continue
        m = CONDITION.match(line)
        if m:
            condition = "%s.%d" % (m.group(1), int(m.group(2)).bit_length() - 1)
            continue
        m = VECTOR.match(line)
        if m:
            vector = {"name": field_name(m.group(1)), "typeModifiers": {"isVector": True}}
            if condition:
                vector["typeModifiers"]["predicate"] = condition
                condition = None
            continue
        m = READ.match(line)
        if m:
            kind = read_type(m.group(2), m.group(3))
            if vector is not None and m.group(1) == "x":
                vector["type"] = kind
                params.append(vector)
                vector = None
                continue
            param = {"name": field_name(m.group(1)), "type": kind}
            if condition:
                param["typeModifiers"] = {"predicate": condition}
                condition = None
            params.append(param)
    return params


def main():
    entries = []
    for constructor_id, cls in alltlobjects.tlobjects.items():
        if cls.__module__.startswith("telethon.tl.core"):
            continue
        entries.append({
            "kind": "method" if issubclass(cls, TLRequest) else "class",
            "name": tl_name(cls),
            "id": constructor_id,
            "type": "Object",
            "arguments": params_of(cls),
        })
    print(json.dumps({"l": alltlobjects.LAYER, "e": entries}))


main()
