// Where the connect hook's time goes, inside real OpenVPN (bench/hook_in_openvpn.py --steps
// loads it in place of hook_timer.so). For each client hook it runs the plugin's own steps,
// the same functions the real plugin calls, timing each one in OpenVPN's thread: reading the
// environment, encoding the datagram, sending it on a socket connected to the daemon's. Beside
// them, as hook_timer.so does, it times the floor, alternating which goes first. The daemon drops
// these datagrams (they carry no sender key), but it is woken by each, as by the real plugin's. At
// close it writes one line per hook: "connect|disconnect ENV_NS ENCODE_NS SEND_NS FLOOR_NS".
//
//   plugin hook_steps.so IGNORED out=RESULTS floor=SOCKET instance=NAME socket=DAEMON_SOCKET
#include <openvpn/openvpn-plugin.h>

#include <array>
#include <cstdio>
#include <string>
#include <vector>

#include "hook_floor.hpp"
#include "plugin/event_sender.hpp"

namespace {

using omp::bench::now_ns;

struct Sample {
    int type;
    long long env_ns, encode_ns, send_ns, floor_ns;
};

struct Steps {
    omp::bench::Floor floor;
    omp::bench::UnixAddress daemon;
    int fd = -1;  // the plugin's own socket, connected as the real plugin's is
    std::string source = "udp";
    std::vector<Sample> samples;
    FILE* out = nullptr;  // opened at start, as root: OpenVPN may drop privileges later
    unsigned calls = 0;
};

}  // namespace

extern "C" {

__attribute__((visibility("default"))) int openvpn_plugin_open_v3(
    const int, struct openvpn_plugin_args_open_in const* in,
    struct openvpn_plugin_args_open_return* ret) {
    auto* s = new Steps;
    for (int i = 2; in->argv[1] && in->argv[i]; ++i) {
        std::string arg = in->argv[i];
        if (arg.rfind("out=", 0) == 0) s->out = std::fopen(arg.substr(4).c_str(), "a");
        if (arg.rfind("floor=", 0) == 0) s->floor.open(arg.substr(6));
        if (arg.rfind("socket=", 0) == 0) s->daemon.set(arg.substr(7));
        if (arg.rfind("instance=", 0) == 0) s->source = arg.substr(9);
    }
    // Connected now, as root, as the real plugin's socket is (EventSender::create).
    s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    connect(s->fd, reinterpret_cast<const sockaddr*>(&s->daemon.address), s->daemon.len);
    s->samples.reserve(100000);
    ret->handle = s;
    ret->type_mask = OPENVPN_PLUGIN_MASK(OPENVPN_PLUGIN_CLIENT_CONNECT_V2) |
                     OPENVPN_PLUGIN_MASK(OPENVPN_PLUGIN_CLIENT_DISCONNECT);
    return OPENVPN_PLUGIN_FUNC_SUCCESS;
}

__attribute__((visibility("default"))) int openvpn_plugin_func_v3(
    const int, struct openvpn_plugin_args_func_in const* args,
    struct openvpn_plugin_args_func_return*) {
    auto* s = static_cast<Steps*>(args->handle);
    Sample x{args->type, 0, 0, 0, 0};
    bool floor_first = (s->calls++ % 2) == 0;
    if (floor_first) x.floor_ns = s->floor.time();

    long long t0 = now_ns();
    omp::event::EventFields fields;
    fields.kind = args->type == OPENVPN_PLUGIN_CLIENT_CONNECT_V2 ? omp::event::Kind::connect
                                                                 : omp::event::Kind::disconnect;
    fields.source = s->source;
    omp::plugin::read_client_env(args->envp, fields);
    long long t1 = now_ns();
    std::array<char, omp::event::kMaxDatagram> buffer;
    std::size_t size = omp::event::encode(fields, buffer);
    x.env_ns = t1 - t0;
    x.encode_ns = now_ns() - t1;
    int unsent = 0;  // the daemon stopped or absent (--daemon-state) is an experiment, not a fault
    x.send_ns = omp::bench::timed_send(s->fd, buffer.data(), size, unsent);

    if (!floor_first) x.floor_ns = s->floor.time();
    s->samples.push_back(x);
    return OPENVPN_PLUGIN_FUNC_SUCCESS;
}

__attribute__((visibility("default"))) void openvpn_plugin_close_v1(
    openvpn_plugin_handle_t handle) {
    auto* s = static_cast<Steps*>(handle);
    if (FILE* f = s->out) {
        for (const auto& x : s->samples) {
            std::fprintf(f, "%s %lld %lld %lld %lld\n",
                         x.type == OPENVPN_PLUGIN_CLIENT_CONNECT_V2 ? "connect" : "disconnect",
                         x.env_ns, x.encode_ns, x.send_ns, x.floor_ns);
        }
        s->floor.report_failures(f);
        std::fclose(f);
    }
    delete s;
}

}  // extern "C"
