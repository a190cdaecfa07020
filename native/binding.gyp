{
  "targets": [
    {
      "target_name": "vireo_libvirt",
      "sources": [
        "src/addon.cc",
        "src/common.cc",
        "src/connect.cc",
        "src/domain.cc",
        "src/domain_stats.cc",
        "src/snapshot.cc",
        "src/storage.cc",
        "src/network.cc",
        "src/nodedev.cc",
        "src/events.cc",
        "src/stream.cc",
        "src/xml_validate.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags": ["<!@(pkg-config --cflags libxml-2.0)"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers"],
      "libraries": ["<!@(pkg-config --libs libvirt libxml-2.0)"]
    }
  ]
}
