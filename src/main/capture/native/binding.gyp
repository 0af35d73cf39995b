{
  # Builds tideline_capture.node, the Node-API addon over libpcap (Npcap on Windows).
  # Built by build-addon.mjs beside this file, or: npx node-gyp rebuild -C src/main/capture/native
  "targets": [
    {
      "target_name": "tideline_capture",
      "sources": ["src/addon.cc", "src/capture-handle.cc", "src/device-list.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": [
        "NAPI_VERSION=8",
        "NODE_ADDON_API_DISABLE_DEPRECATED",
        # Electron's V8 sandbox forbids external buffers, so batches are copied into V8-owned ones.
        "NODE_API_NO_EXTERNAL_BUFFERS_ALLOWED",
        "NAPI_CPP_EXCEPTIONS"
      ],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra"],
      "conditions": [
        ["OS=='linux'", { "libraries": ["-lpcap", "-lpthread"] }],
        ["OS=='mac'", {
          "libraries": ["-lpcap"],
          "xcode_settings": {
            "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
            "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
            "MACOSX_DEPLOYMENT_TARGET": "11.0"
          }
        }],
        ["OS=='win'", {
          # NOTE: the Windows build has not been run. It expects the Npcap SDK in
          # NPCAP_SDK (e.g. C:\\npcap-sdk) and Npcap installed in WinPcap-compatible mode.
          "include_dirs": ["<!(node -p \"process.env.NPCAP_SDK || 'C:/npcap-sdk'\")/Include"],
          "libraries": ["<!(node -p \"process.env.NPCAP_SDK || 'C:/npcap-sdk'\")/Lib/x64/wpcap.lib", "ws2_32.lib"],
          "msvs_settings": {
            "VCCLCompilerTool": { "ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17"] },
            "VCLinkerTool": { "DelayLoadDLLs": ["wpcap.dll"] }
          }
        }]
      ]
    }
  ]
}
