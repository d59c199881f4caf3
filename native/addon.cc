// Module entry and the N-API helpers shared by the fanotify and audit bindings.
#include "common.h"

namespace tsem {

static const char* ErrnoName(int err) {
  switch (err) {
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case EINVAL: return "EINVAL";
    case ENOSYS: return "ENOSYS";
    case ENOENT: return "ENOENT";
    case ENODEV: return "ENODEV";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case EEXIST: return "EEXIST";
    case EMFILE: return "EMFILE";
    case ENOMEM: return "ENOMEM";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
    case ECONNREFUSED: return "ECONNREFUSED";
    case EXDEV: return "EXDEV";
    case ENOTDIR: return "ENOTDIR";
    case EBADF: return "EBADF";
    case ENOTTY: return "ENOTTY";
    case ENODATA: return "ENODATA";
    case EROFS: return "EROFS";
    case ENOSPC: return "ENOSPC";
    case E2BIG: return "E2BIG";
    case ERANGE: return "ERANGE";
    default: return "EUNKNOWN";
  }
}

napi_value ThrowMessage(napi_env env, const char* code, const std::string& message) {
  napi_value msg, jscode, err;
  napi_create_string_utf8(env, message.c_str(), NAPI_AUTO_LENGTH, &msg);
  napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &jscode);
  napi_create_error(env, jscode, msg, &err);
  SetProp(env, err, "code", jscode);
  napi_throw(env, err);
  return nullptr;
}

napi_value ThrowErrno(napi_env env, const char* what, int err) {
  std::string message = std::string(what) + ": " + std::strerror(err);
  napi_value msg, jscode, error;
  napi_create_string_utf8(env, message.c_str(), NAPI_AUTO_LENGTH, &msg);
  napi_create_string_utf8(env, ErrnoName(err), NAPI_AUTO_LENGTH, &jscode);
  napi_create_error(env, jscode, msg, &error);
  SetProp(env, error, "code", jscode);
  SetProp(env, error, "errno", MakeInt(env, err));
  SetProp(env, error, "syscall", [&] {
    napi_value s;
    napi_create_string_utf8(env, what, NAPI_AUTO_LENGTH, &s);
    return s;
  }());
  napi_throw(env, error);
  return nullptr;
}

bool GetInt(napi_env env, napi_value v, int64_t* out) {
  napi_valuetype t;
  if (v == nullptr || napi_typeof(env, v, &t) != napi_ok || t != napi_number) return false;
  return napi_get_value_int64(env, v, out) == napi_ok;
}

bool GetBool(napi_env env, napi_value v, bool* out) {
  napi_valuetype t;
  if (v == nullptr || napi_typeof(env, v, &t) != napi_ok || t != napi_boolean) return false;
  return napi_get_value_bool(env, v, out) == napi_ok;
}

napi_value MakeInt(napi_env env, int64_t v) {
  napi_value out;
  napi_create_int64(env, v, &out);
  return out;
}

napi_value MakeDouble(napi_env env, double v) {
  napi_value out;
  napi_create_double(env, v, &out);
  return out;
}

napi_value Undefined(napi_env env) {
  napi_value out;
  napi_get_undefined(env, &out);
  return out;
}

napi_value GetProp(napi_env env, napi_value obj, const char* name) {
  bool has = false;
  if (napi_has_named_property(env, obj, name, &has) != napi_ok || !has) return nullptr;
  napi_value out;
  if (napi_get_named_property(env, obj, name, &out) != napi_ok) return nullptr;
  return out;
}

void SetProp(napi_env env, napi_value obj, const char* name, napi_value value) {
  napi_set_named_property(env, obj, name, value);
}

}  // namespace tsem

static napi_value Init(napi_env env, napi_value exports) {
  tsem::InitFanotify(env, exports);
  tsem::InitAudit(env, exports);
  tsem::InitXattr(env, exports);
  tsem::InitUnixDgram(env, exports);
  tsem::InitLandlock(env, exports);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
