// A timing shim for real OpenVPN (bench/hook_in_openvpn.py loads it): OpenVPN loads this .so,
// which loads the real plugin and forwards every call to it, timing each client hook from
// outside the plugin, in OpenVPN's own thread, at the moment OpenVPN calls it. Right beside
// each hook (before it on even calls, after it on odd ones, so neither always runs on warmer
// caches) it times the floor: one bare sendto() of 200 bytes by path to a Unix datagram
// socket whose receiver sleeps in poll(). At close it writes one line per hook:
// "connect|disconnect HOOK_NS FLOOR_NS".
//
//   plugin hook_timer.so REAL_PLUGIN.so out=RESULTS floor=SOCKET [real plugin's arguments]
#include <dlfcn.h>
#include <openvpn/openvpn-plugin.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "hook_floor.hpp"

namespace {

struct Sample {
    int type;
    long long hook_ns;
    long long floor_ns;
};

struct Shim {
    void* dl = nullptr;
    decltype(&openvpn_plugin_func_v3) func = nullptr;
    decltype(&openvpn_plugin_close_v1) close_fn = nullptr;
    openvpn_plugin_handle_t real = nullptr;
    FILE* out = nullptr;  // opened at start, as root: OpenVPN may drop privileges later
    omp::bench::Floor floor;
    std::vector<Sample> samples;
    unsigned calls = 0;
    bool prewarm = false;  // touch every environment string before the hook (an experiment)
};

using omp::bench::now_ns;

}  // namespace

extern "C" {

__attribute__((visibility("default"))) int openvpn_plugin_open_v3(
    const int version, struct openvpn_plugin_args_open_in const* in,
    struct openvpn_plugin_args_open_return* ret) {
    if (!in->argv[1]) return OPENVPN_PLUGIN_FUNC_ERROR;
    auto* s = new Shim;
    s->dl = dlopen(in->argv[1], RTLD_NOW);
    if (!s->dl) return OPENVPN_PLUGIN_FUNC_ERROR;
    auto open =
        reinterpret_cast<decltype(&openvpn_plugin_open_v3)>(dlsym(s->dl, "openvpn_plugin_open_v3"));
    s->func = reinterpret_cast<decltype(s->func)>(dlsym(s->dl, "openvpn_plugin_func_v3"));
    s->close_fn = reinterpret_cast<decltype(s->close_fn)>(dlsym(s->dl, "openvpn_plugin_close_v1"));
    // The real plugin sees its own path, then every argument that is not the shim's.
    std::vector<const char*> argv = {in->argv[1]};
    for (int i = 2; in->argv[i]; ++i) {
        std::string arg = in->argv[i];
        if (arg.rfind("out=", 0) == 0) {
            s->out = std::fopen(arg.substr(4).c_str(), "a");
        } else if (arg == "prewarm=1") {
            s->prewarm = true;
        } else if (arg.rfind("floor=", 0) == 0) {
            s->floor.open(arg.substr(6));
        } else {
            argv.push_back(in->argv[i]);
        }
    }
    argv.push_back(nullptr);
    s->samples.reserve(100000);
    openvpn_plugin_args_open_in real_in{in->type_mask,
                                        argv.data(),
                                        in->envp,
                                        in->callbacks,
                                        in->ssl_api,
                                        in->ovpn_version,
                                        in->ovpn_version_major,
                                        in->ovpn_version_minor,
                                        in->ovpn_version_patch};
    int rc = open(version, &real_in, ret);
    s->real = ret->handle;
    ret->handle = s;
    return rc;
}

__attribute__((visibility("default"))) int openvpn_plugin_func_v3(
    const int version, struct openvpn_plugin_args_func_in const* args,
    struct openvpn_plugin_args_func_return* ret) {
    auto* s = static_cast<Shim*>(args->handle);
    openvpn_plugin_args_func_in real_args{args->type,
                                          args->argv,
                                          args->envp,
                                          s->real,
                                          args->per_client_context,
                                          args->current_cert_depth,
                                          args->current_cert};
    bool timed = args->type == OPENVPN_PLUGIN_CLIENT_CONNECT_V2 ||
                 args->type == OPENVPN_PLUGIN_CLIENT_DISCONNECT;
    if (!timed) return s->func(version, &real_args, ret);
    bool floor_first = (s->calls++ % 2) == 0;
    long long floor_ns = floor_first ? s->floor.time() : 0;
    if (s->prewarm) {
        volatile char sink = 0;
        for (const char* const* e = args->envp; e && *e; ++e) sink = sink + (*e)[0];
    }
    long long t0 = now_ns();
    int rc = s->func(version, &real_args, ret);
    long long hook_ns = now_ns() - t0;
    if (!floor_first) floor_ns = s->floor.time();
    s->samples.push_back({args->type, hook_ns, floor_ns});
    return rc;
}

__attribute__((visibility("default"))) void openvpn_plugin_close_v1(
    openvpn_plugin_handle_t handle) {
    auto* s = static_cast<Shim*>(handle);
    s->close_fn(s->real);
    if (FILE* f = s->out) {
        for (const auto& x : s->samples) {
            std::fprintf(f, "%s %lld %lld\n",
                         x.type == OPENVPN_PLUGIN_CLIENT_CONNECT_V2 ? "connect" : "disconnect",
                         x.hook_ns, x.floor_ns);
        }
        s->floor.report_failures(f);
        std::fclose(f);
    }
    delete s;
}

}  // extern "C"
