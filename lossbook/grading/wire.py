"""The data format in which a student's results travel from the sandbox to the grader.

Only plain data can be sent: ``None``, booleans, numbers, strings, bytes,
lists, tuples, dicts, sets, tensors, NumPy arrays of numbers, torch dtypes,
and :class:`Handle` names of objects that stay in the sandbox. A
message is a JSON header (safe to parse whatever it contains) followed by the
raw bytes of each array, so decoding a crafted message can build nothing but
those types: unlike pickle, it can never run code in the grader. It is also
about ten times faster than ``torch.save``/``torch.load(weights_only=True)``,
which matters because a graded notebook makes hundreds of calls.

    decode(encode(value)) == value    # tuples stay tuples, float64 stays float64

The grader sends its requests in this format too when they hold plain data
(tensors keep ``requires_grad``), and pickles them only when they hold code,
such as a function a check hands to the student's function.
"""

import json
import math
import struct

import numpy
import torch

DTYPES = {str(d).removeprefix("torch."): d for d in (
    torch.float16, torch.bfloat16, torch.float32, torch.float64, torch.complex64, torch.complex128,
    torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64, torch.bool)}
NAMES = {dtype: name for name, dtype in DTYPES.items()}
MAX_DEPTH = 100  # nesting of containers in a result
# Members of one set, or of one dict with keys other than strings: building either costs time that grows with
# the square of the members whose hashes collide, and numbers can be chosen to collide (strings cannot: their
# hashes are salted per process).
MAX_HASHED = 1000


class Handle:
    """Stands for an object that stays in the sandbox (a function an answer returned), by name."""

    def __init__(self, name: str):
        self.name = name

    def __eq__(self, other):
        return isinstance(other, Handle) and other.name == self.name

    def __hash__(self):
        return hash(self.name)


class WireError(TypeError):
    """A value that cannot be sent, or a message that is not one this module wrote."""


def encode(value) -> bytes:
    """``value`` as bytes: a 4-byte header length, the JSON header, then each buffer with its 8-byte length."""
    buffers = []
    header = json.dumps(_tree(value, buffers, 0, {}), separators=(",", ":")).encode()
    parts = [struct.pack(">I", len(header)), header]
    for buffer in buffers:
        parts += [struct.pack(">Q", len(buffer)), buffer]
    return b"".join(parts)


def decode(data: bytes):
    """The value ``encode`` was given; raises :class:`WireError` for anything else."""
    try:
        (size,) = struct.unpack_from(">I", data, 0)
        header = json.loads(data[4:4 + size])
        buffers, offset = [], 4 + size
        while offset < len(data):
            (length,) = struct.unpack_from(">Q", data, offset)
            buffers.append(memoryview(data)[offset + 8:offset + 8 + length])
            offset += 8 + length
        return _value(header, buffers, 0, {})
    except WireError:
        raise
    except Exception as err:  # malformed: truncated, bad JSON, too deep, wrong sizes
        raise WireError(f"not a valid message ({type(err).__name__})") from None


def _tree(value, buffers: list, depth: int, sent: dict):
    """A JSON-able tree for ``value``; containers and arrays are tagged objects, arrays go to ``buffers``.

    A tensor met again (the same object) is sent once and referred to after
    (``sent`` maps its id to its buffer): it arrives as one object, as it left.
    """
    if depth > MAX_DEPTH:
        raise WireError(f"the result is nested more than {MAX_DEPTH} levels deep")
    kind = type(value)  # the commonest exact types first: a check sends hundreds of nodes
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value  # JSON keeps 1 and 1.0 apart, and Python's reads back NaN and infinities
    if kind is torch.Tensor:
        return _tensor_or_reference(value, buffers, sent)
    if kind is tuple:
        return {"t": [_tree(v, buffers, depth + 1, sent) for v in value]}
    if kind is dict:
        if all(type(k) is str for k in value):  # keyword arguments, replies: a JSON object
            return {"D": {k: _tree(v, buffers, depth + 1, sent) for k, v in value.items()}}
        return {"d": [[_tree(k, buffers, depth + 1, sent), _tree(v, buffers, depth + 1, sent)]
                      for k, v in value.items()]}
    if kind is list:
        return [_tree(v, buffers, depth + 1, sent) for v in value]
    return _tree_of_other(value, buffers, depth, sent)


def _tree_of_other(value, buffers: list, depth: int, sent: dict):
    """``_tree`` for subclasses (a Parameter, NumPy's float64, a named tuple) and rarer types."""
    if isinstance(value, torch.Tensor):
        return _tensor_or_reference(value, buffers, sent)
    if isinstance(value, (bool, str)):
        return str(value) if isinstance(value, str) else bool(value)
    if isinstance(value, (int, float)):  # also NumPy's float64, a float subclass
        return float(value) if isinstance(value, float) else int(value)
    if isinstance(value, complex):
        return {"c": [value.real, value.imag]}
    if isinstance(value, numpy.generic) and value.dtype.kind in "biufc":
        return _tree(value.item(), buffers, depth, sent)
    if isinstance(value, numpy.ndarray):
        if value.dtype.kind not in "biufc":
            raise WireError(f"a NumPy array of dtype {value.dtype} cannot be checked")
        buffers.append(numpy.ascontiguousarray(value).tobytes())
        return {"N": len(buffers) - 1, "dtype": value.dtype.str, "shape": list(value.shape)}
    if isinstance(value, torch.dtype):
        return {"dt": str(value).removeprefix("torch.")}
    if isinstance(value, bytes):
        buffers.append(bytes(value))
        return {"b": len(buffers) - 1}
    if isinstance(value, list):
        return [_tree(v, buffers, depth + 1, sent) for v in value]
    if isinstance(value, tuple):  # named tuples and torch.Size too
        return {"t": [_tree(v, buffers, depth + 1, sent) for v in value]}
    if isinstance(value, dict):
        return {"d": [[_tree(k, buffers, depth + 1, sent), _tree(v, buffers, depth + 1, sent)]
                      for k, v in value.items()]}
    if isinstance(value, (set, frozenset)):
        return {"s": [_tree(v, buffers, depth + 1, sent) for v in value], "frozen": isinstance(value, frozenset)}
    if isinstance(value, Handle):
        return {"h": str(value.name)}
    raise WireError(f"a {type(value).__name__} cannot be checked; "
                    "return tensors, numbers, strings, lists, tuples or dicts")


def _tensor_or_reference(value, buffers: list, sent: dict) -> dict:
    if id(value) in sent:
        return {"R": sent[id(value)]}
    node = _tensor_node(value, buffers)
    sent[id(value)] = node["T"]
    return node


def _tensor_node(value, buffers: list) -> dict:
    tensor = value.detach()
    name = NAMES.get(tensor.dtype)
    if name is None or tensor.layout != torch.strided or tensor.device.type != "cpu":
        raise WireError(f"a tensor of dtype {tensor.dtype}, layout {tensor.layout} on {tensor.device} cannot be checked")
    if tensor.dtype == torch.bfloat16:  # NumPy has no bfloat16: send its bytes
        buffers.append(dense_copy(tensor).view(torch.uint8).numpy().tobytes())
    else:
        buffers.append(tensor.resolve_conj().resolve_neg().numpy().tobytes())  # C order, whatever the strides
    node = {"T": len(buffers) - 1, "dtype": name, "shape": list(tensor.shape)}
    if value.requires_grad:
        node["grad"] = True
    return node


def dense_copy(tensor):
    """A 1-D copy with unit stride (``contiguous()`` keeps a stride of 0 on a dimension of size 1)."""
    return torch.empty(tensor.numel(), dtype=tensor.dtype).copy_(tensor.reshape(-1))


def _value(node, buffers: list, depth: int, made: dict):
    """The value of a tree ``_tree`` made (``made``: the tensors built so far, by buffer)."""
    if depth > MAX_DEPTH:
        raise WireError("too deep")
    kind = type(node)
    if kind is str or kind is int or kind is float or kind is bool or node is None:
        return node
    if isinstance(node, list):
        return [_value(v, buffers, depth + 1, made) for v in node]
    if not isinstance(node, dict) or len(node) not in (1, 2, 3, 4):
        raise WireError("unknown node")
    if "T" in node:  # the commonest nodes first
        return _tensor(node, buffers, made)
    if "R" in node:
        if node["R"] not in made:
            raise WireError("a reference to no tensor")
        return made[node["R"]]
    if "D" in node:
        return {str(k): _value(v, buffers, depth + 1, made) for k, v in node["D"].items()}
    if "t" in node:
        return tuple(_value(v, buffers, depth + 1, made) for v in node["t"])
    if "d" in node:
        if len(node["d"]) > MAX_HASHED:
            raise WireError(f"a dict with more than {MAX_HASHED} keys that are not strings")
        return {_value(k, buffers, depth + 1, made): _value(v, buffers, depth + 1, made) for k, v in node["d"]}
    if "f" in node:
        return float(node["f"])
    if "c" in node:
        real, imag = node["c"]
        return complex(float(real), float(imag))
    if "s" in node:
        if len(node["s"]) > MAX_HASHED:
            raise WireError(f"a set with more than {MAX_HASHED} members")
        members = [_value(v, buffers, depth + 1, made) for v in node["s"]]
        return frozenset(members) if node.get("frozen") is True else set(members)
    if "h" in node:
        return Handle(str(node["h"]))
    if "dt" in node:
        return DTYPES[node["dt"]]
    if "b" in node:
        return bytes(buffers[node["b"]])
    if "N" in node:
        dtype, shape = numpy.dtype(node["dtype"]), [int(n) for n in node["shape"]]
        if dtype.kind not in "biufc":
            raise WireError("not a numeric array")
        return numpy.frombuffer(bytes(buffers[node["N"]]), dtype=dtype).reshape(shape).copy()
    raise WireError("unknown node")


def _tensor(node: dict, buffers: list, made: dict):
    dtype, shape, index = DTYPES[node["dtype"]], [int(n) for n in node["shape"]], node["T"]
    buffer = buffers[index]
    count = math.prod(shape)
    if min(shape, default=0) < 0 or len(buffer) != count * dtype.itemsize or index in made:
        raise WireError("a tensor's size does not match its data")
    tensor = torch.empty(shape, dtype=dtype) if count == 0 else (
        torch.frombuffer(bytearray(buffer), dtype=dtype).view(shape))
    if node.get("grad") is True and tensor.is_floating_point():
        tensor.requires_grad_(True)
    made[index] = tensor
    return tensor
