// The plugin's whole C ABI: the openvpn_plugin_* entry points and nothing else. Each checks
// the struct version, catches everything, and hands over to EventSender (event_sender.hpp).
#include <openvpn/openvpn-plugin.h>

#include "plugin/event_sender.hpp"

// Built with -fvisibility=hidden; these four are the exports (see exports.map).
#define OMP_PLUGIN_EXPORT __attribute__((visibility("default")))

using omp::plugin::EventSender;
using omp::plugin::kPluginName;

extern "C" {

OMP_PLUGIN_EXPORT int openvpn_plugin_min_version_required_v1() {
    return 3;
}

OMP_PLUGIN_EXPORT int openvpn_plugin_open_v3(const int version,
                                             struct openvpn_plugin_args_open_in const* args,
                                             struct openvpn_plugin_args_open_return* ret) {
    plugin_log_t log = args && args->callbacks ? args->callbacks->plugin_log : nullptr;
    if (version < OPENVPN_PLUGINv3_STRUCTVER) {
        if (log)
            log(PLOG_ERR, kPluginName, "OpenVPN's plugin struct version %d is older than %d",
                version, OPENVPN_PLUGINv3_STRUCTVER);
        return OPENVPN_PLUGIN_FUNC_ERROR;
    }
    try {
        auto parsed = omp::plugin::parse_args(args->argv ? args->argv + 1 : nullptr);
        if (!parsed) {
            if (log) log(PLOG_ERR, kPluginName, "%s", parsed.error().message.c_str());
            return OPENVPN_PLUGIN_FUNC_ERROR;
        }
        const auto& plugin_args = *parsed;
        auto created = EventSender::create(plugin_args, log);
        if (!created) {
            if (log) log(PLOG_ERR, kPluginName, "%s", created.error().message.c_str());
            return OPENVPN_PLUGIN_FUNC_ERROR;
        }
        ret->handle = reinterpret_cast<openvpn_plugin_handle_t>(*created);
        // CLIENT_CONNECT_V2 rather than CLIENT_CONNECT: the plain hook makes OpenVPN create
        // and delete a temporary file for every connecting client; V2 costs nothing extra.
        ret->type_mask = OPENVPN_PLUGIN_MASK(OPENVPN_PLUGIN_CLIENT_CONNECT_V2) |
                         OPENVPN_PLUGIN_MASK(OPENVPN_PLUGIN_CLIENT_DISCONNECT);
        if (log)
            log(PLOG_NOTE, kPluginName, "instance=%s sends client events to %s",
                plugin_args.source.c_str(), plugin_args.socket_path.c_str());
        return OPENVPN_PLUGIN_FUNC_SUCCESS;
    } catch (...) {
        if (log) log(PLOG_ERR, kPluginName, "start-up failed (out of memory)");
        return OPENVPN_PLUGIN_FUNC_ERROR;
    }
}

OMP_PLUGIN_EXPORT int openvpn_plugin_func_v3(const int version,
                                             struct openvpn_plugin_args_func_in const* args,
                                             struct openvpn_plugin_args_func_return*) {
    // Whatever happens here, the client proceeds: monitoring never denies anyone.
    if (version < OPENVPN_PLUGINv3_STRUCTVER || !args || !args->handle) {
        return OPENVPN_PLUGIN_FUNC_SUCCESS;
    }
    auto* sender = reinterpret_cast<EventSender*>(args->handle);
    switch (args->type) {
        case OPENVPN_PLUGIN_CLIENT_CONNECT_V2:
            sender->on_client_event(omp::event::Kind::connect, args->envp);
            break;
        case OPENVPN_PLUGIN_CLIENT_DISCONNECT:
            sender->on_client_event(omp::event::Kind::disconnect, args->envp);
            break;
        default:
            break;
    }
    return OPENVPN_PLUGIN_FUNC_SUCCESS;
}

OMP_PLUGIN_EXPORT void openvpn_plugin_close_v1(openvpn_plugin_handle_t handle) {
    delete reinterpret_cast<EventSender*>(handle);
}

}  // extern "C"
