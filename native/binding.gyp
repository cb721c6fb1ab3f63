{
  "targets": [{
    "target_name": "pier_native",
    "sources": ["src/addon.cc", "src/unix.cc", "src/channel.cc", "src/resolve.cc", "src/lock.cc",
                "src/pidwatch.cc", "src/spawn.cc", "src/mount.cc", "src/forward.cc"],
    "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
    "defines": ["NAPI_VERSION=9", "NODE_ADDON_API_DISABLE_CPP_EXCEPTIONS", "NODE_API_NO_EXTERNAL_BUFFERS_ALLOWED",
                "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
    "cflags_cc": ["-std=c++20", "-fno-exceptions", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
    "cflags_cc!": ["-std=gnu++17", "-std=c++17"],
    "libraries": ["-pthread"]
  }]
}
