"""Tagged JSON <-> Python values, so tests can pass XML-RPC types JSON cannot name.

{"$int": "123"} big int, {"$float": "nan"} float, {"$date": "YYYYMMDDTHH:MM:SS"} datetime,
{"$bytes": "<base64>"} bytes, {"$dict": {...}} a dict whose keys may start with "$".
"""
import base64
import datetime

DATE = "%Y%m%dT%H:%M:%S"


def to_py(j):
    if isinstance(j, list):
        return [to_py(x) for x in j]
    if isinstance(j, dict):
        if len(j) == 1:
            (key, value), = j.items()
            if key == "$int":
                return int(value)
            if key == "$float":
                return float(value)
            if key == "$date":
                return datetime.datetime.strptime(value, DATE)
            if key == "$bytes":
                return base64.b64decode(value)
            if key == "$dict":
                return {k: to_py(v) for k, v in value.items()}
        return {k: to_py(v) for k, v in j.items()}
    return j


def to_json(v):
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, int):
        return v if abs(v) < 2 ** 53 else {"$int": str(v)}
    if isinstance(v, float):
        return {"$float": repr(v)}
    if isinstance(v, (bytes, bytearray)):
        return {"$bytes": base64.b64encode(bytes(v)).decode("ascii")}
    if isinstance(v, datetime.datetime):
        return {"$date": v.strftime(DATE)}
    if isinstance(v, (list, tuple)):
        return [to_json(x) for x in v]
    if isinstance(v, dict):
        inner = {k: to_json(x) for k, x in v.items()}
        return {"$dict": inner} if any(k.startswith("$") for k in v) else inner
    return {"$unknown": repr(v)}
