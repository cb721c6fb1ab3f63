// Node-style system errors for the addon: `code` ('ENOENT'), `errno` (negative, as in Node), `syscall`,
// optional `path`, and a message like fs's: "ENOENT: no such file or directory, connect '/run/x'".
#pragma once

#include <napi.h>

#include <cctype>
#include <cstring>
#include <string>

namespace pier {

// `detail` replaces strerror's text; `suffix` is appended to the message after the path.
inline Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall, const std::string& path = "",
                              const std::string& detail = "", const std::string& suffix = "") {
  const char* name = strerrorname_np(err);
  std::string code = name ? name : "E" + std::to_string(err);
  std::string text = detail.empty() ? strerror(err) : detail;
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  std::string message = code + ": " + text + ", " + syscall;
  if (!path.empty()) message += " '" + path + "'";
  message += suffix;
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  error.Set("errno", Napi::Number::New(env, -err));
  error.Set("syscall", Napi::String::New(env, syscall));
  if (!path.empty()) error.Set("path", Napi::String::New(env, path));
  return error;
}

// Throws an ErrnoError (C++ exceptions are disabled) and returns undefined for the caller to return.
inline Napi::Value ThrowErrno(Napi::Env env, int err, const char* syscall, const std::string& path = "") {
  ErrnoError(env, err, syscall, path).ThrowAsJavaScriptException();
  return env.Undefined();
}

inline Napi::Value ThrowType(Napi::Env env, const char* message) {
  Napi::TypeError::New(env, message).ThrowAsJavaScriptException();
  return env.Undefined();
}

}  // namespace pier
