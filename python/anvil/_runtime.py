"""ctypes bindings of Anvil's C API (anvil-c/Runtime.h)."""

import ctypes as C
import os

import numpy as np

# AnvilDType, in the order of anvil-c/Runtime.h.
_DTYPES = [None, np.float32, np.float64, np.float16, np.int8, np.int16,
           np.int32, np.int64, np.bool_, np.uint8, np.uint16, np.uint32,
           np.uint64]
_CODES = {np.dtype(t): code for code, t in enumerate(_DTYPES) if t}

REPORT_TEXT, REPORT_JSON, REPORT_TRACE = 0, 1, 2


class Tensor(C.Structure):
    _fields_ = [("name", C.c_char_p), ("dtype", C.c_int), ("rank", C.c_int32),
                ("shape", C.POINTER(C.c_int64)), ("data", C.c_void_p)]


def install_root():
    """The root of the installation (or build tree) this package is in:
    ROOT/lib/python3/dist-packages/anvil, or $ANVIL_HOME."""
    home = os.environ.get("ANVIL_HOME")
    if home:
        return home
    # abspath, not realpath: the build tree links the package in, and the
    # root is that of the tree it was imported from.
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, "..", "..", "..", ".."))


def numpy_dtype(code):
    if 0 < code < len(_DTYPES):
        return np.dtype(_DTYPES[code])
    raise ValueError("unknown Anvil dtype %d" % code)


def dtype_code(dtype):
    try:
        return _CODES[np.dtype(dtype)]
    except KeyError:
        raise TypeError("Anvil has no dtype for numpy's %s" % np.dtype(dtype))


_lib = None


def library():
    """libanvil_runtime.so, loaded once, with its functions typed."""
    global _lib
    if _lib is not None:
        return _lib
    path = os.path.join(install_root(), "lib", "libanvil_runtime.so")
    # Global: accelerator artifacts call the PE operations it exports.
    lib = C.CDLL(path, mode=C.RTLD_GLOBAL)
    model, err = C.c_void_p, C.POINTER(C.c_void_p)
    signatures = {
        "anvilModelLoad": (model, [C.c_char_p, err]),
        "anvilModelFree": (None, [model]),
        "anvilModelNumInputs": (C.c_int32, [model]),
        "anvilModelNumOutputs": (C.c_int32, [model]),
        "anvilModelInput": (Tensor, [model, C.c_int32]),
        "anvilModelOutput": (Tensor, [model, C.c_int32]),
        "anvilModelMetadata": (C.c_char_p, [model]),
        "anvilModelDevice": (C.c_char_p, [model]),
        "anvilModelRun": (C.c_int, [model, C.POINTER(Tensor), C.c_int32,
                                    C.POINTER(Tensor), C.c_int32, err]),
        "anvilModelSetSimTrace": (None, [model, C.c_int32]),
        "anvilModelSimReport": (C.c_void_p, [model, C.c_int32]),
        "anvilSetNumThreads": (None, [C.c_int32]),
        "anvilFreeError": (None, [C.c_void_p]),
    }
    for name, (restype, argtypes) in signatures.items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = restype, argtypes
    _lib = lib
    return lib


def take_string(pointer):
    """A string the runtime allocated, freed after copying."""
    if not pointer:
        return None
    try:
        return C.string_at(pointer).decode()
    finally:
        library().anvilFreeError(pointer)
