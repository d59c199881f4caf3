{
  "targets": [
    {
      "target_name": "tsem_native",
      "sources": [
        "native/addon.cc",
        "native/fanotify.cc",
        "native/audit.cc",
        "native/xattr.cc",
        "native/unix-dgram.cc",
        "native/landlock.cc"
      ],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-fexceptions"],
      "defines": ["NAPI_VERSION=8"]
    },
    {
      "target_name": "tsem-launch",
      "type": "executable",
      "sources": [
        "native/launch/launch.c",
        "native/launch/namespaces.c",
        "native/launch/confine.c",
        "native/launch/landlock.c"
      ],
      "cflags": ["-std=c11", "-Wall", "-Wextra", "-Werror=implicit-function-declaration"]
    }
  ]
}
