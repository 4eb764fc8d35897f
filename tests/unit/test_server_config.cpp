#include <boost/test/unit_test.hpp>

#include "setup/server_config.hpp"

namespace {

const char* kFresh =
    "port 1194\nproto udp\ndev tun\nserver 10.8.0.0 255.255.255.0\n"
    "<ca>\n-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n</ca>\nverb 3\n";

omp::ServerConfig parse(const std::string& text) {
    auto c = omp::parse_server_config(text, "test.conf");
    if (!c) BOOST_FAIL(c.error().message);
    return std::move(*c);
}

omp::SetupOptions options(std::string source = "udp") {
    omp::SetupOptions o;
    o.plugin_path = "/usr/lib/x86_64-linux-gnu/openvpn/plugins/openvpn-plugin-mgmt-push.so";
    o.event_socket = "/run/ovpn-mgmt-push/events.sock";
    o.source = std::move(source);
    o.management_socket_dir = "/run/openvpn-server";
    return o;
}

std::string error_of(const std::string& text) {
    auto c = omp::parse_server_config(text, "bad.conf");
    BOOST_REQUIRE(!c.ok());
    return c.error().message;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(server_config)

BOOST_AUTO_TEST_CASE(fresh_config_gets_plugin_and_a_management_socket_only_root_can_reach) {
    auto plan = omp::plan_setup(parse(kFresh), options());
    std::string out = omp::render_server_config(plan.config);
    BOOST_TEST(out.starts_with(kFresh));
    BOOST_TEST(
        out.find("\nplugin /usr/lib/x86_64-linux-gnu/openvpn/plugins/openvpn-plugin-mgmt-push.so "
                 "instance=udp socket=/run/ovpn-mgmt-push/events.sock\n") != std::string::npos);
    BOOST_TEST(out.find("\nmanagement /run/openvpn-server/ovpn-mgmt-push-udp.sock unix\n") !=
               std::string::npos);
    BOOST_TEST(out.find("127.0.0.1") == std::string::npos);  // no TCP port for every local user
    BOOST_TEST(plan.changes.size() == 2u);
    BOOST_TEST(plan.management == "unix:/run/openvpn-server/ovpn-mgmt-push-udp.sock");
    BOOST_TEST(plan.warnings.empty());
}

BOOST_AUTO_TEST_CASE(a_password_less_tcp_management_line_is_kept_and_its_danger_said_once) {
    auto plan =
        omp::plan_setup(parse(std::string(kFresh) + "management 127.0.0.1 7505\n"), options());
    BOOST_TEST(plan.management == "127.0.0.1:7505");
    BOOST_REQUIRE(plan.warnings.size() == 1u);
    BOOST_TEST(plan.warnings[0].find("management on 127.0.0.1:7505 has no password: any local "
                                     "user can connect to it, kill clients") == 0u);
    BOOST_TEST(plan.warnings[0].find("--secure-management") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(secure_management_moves_a_password_less_tcp_line_to_the_socket) {
    auto o = options();
    o.secure_management = true;
    auto plan = omp::plan_setup(parse(std::string(kFresh) + "management 127.0.0.1 7505\n"), o);
    std::string out = omp::render_server_config(plan.config);
    BOOST_TEST(out.find("management 127.0.0.1 7505") == std::string::npos);
    BOOST_TEST(out.find("\nmanagement /run/openvpn-server/ovpn-mgmt-push-udp.sock unix\n") !=
               std::string::npos);
    BOOST_TEST(plan.management == "unix:/run/openvpn-server/ovpn-mgmt-push-udp.sock");
    BOOST_TEST(plan.warnings.empty());
    BOOST_TEST(omp::plan_setup(parse(out), o).changes.empty());  // and a second run is quiet
    // A line with a password file is left alone, flag or not.
    auto kept = omp::plan_setup(
        parse(std::string(kFresh) + "management 127.0.0.1 7600 /etc/openvpn/pw\n"), o);
    BOOST_TEST(kept.management == "127.0.0.1:7600");
}

BOOST_AUTO_TEST_CASE(the_socket_is_named_for_the_instance_the_config_keeps) {
    // An existing plugin line names the instance: the socket follows it, not the picked name.
    auto plan =
        omp::plan_setup(parse(std::string(kFresh) +
                              "plugin /opt/openvpn-plugin-mgmt-push.so instance=udp2 socket=/x\n"),
                        options("udp"));
    BOOST_TEST(plan.management == "unix:/run/openvpn-server/ovpn-mgmt-push-udp2.sock");
}

BOOST_AUTO_TEST_CASE(second_run_changes_nothing) {
    auto first = omp::plan_setup(parse(kFresh), options());
    std::string once = omp::render_server_config(first.config);
    auto second = omp::plan_setup(parse(once), options());
    BOOST_TEST(second.changes.empty());
    BOOST_TEST(omp::render_server_config(second.config) == once);
}

BOOST_AUTO_TEST_CASE(existing_management_line_is_kept_and_reported) {
    auto plan = omp::plan_setup(
        parse(std::string(kFresh) + "management 127.0.0.1 7600 /etc/openvpn/pw\n"), options());
    BOOST_TEST(plan.management == "127.0.0.1:7600");
    BOOST_TEST(plan.changes.size() == 1u);  // only the plugin
}

BOOST_AUTO_TEST_CASE(unix_management_socket_is_reported_as_unix_address) {
    auto plan = omp::plan_setup(
        parse(std::string(kFresh) + "management /run/openvpn/udp.sock unix\n"), options());
    BOOST_TEST(plan.management == "unix:/run/openvpn/udp.sock");
}

BOOST_AUTO_TEST_CASE(old_hook_lines_are_removed_others_kept) {
    auto plan = omp::plan_setup(
        parse(std::string(kFresh) + "client-connect \"/usr/local/bin/ovpn-mgmt-push.sh connect\"\n"
                                    "client-disconnect /usr/local/bin/ovpn-mgmt-push.sh\n"
                                    "client-connect /etc/openvpn/other-hook.sh\n"),
        options());
    std::string out = omp::render_server_config(plan.config);
    BOOST_TEST(out.find("ovpn-mgmt-push.sh") == std::string::npos);
    BOOST_TEST(out.find("client-connect /etc/openvpn/other-hook.sh") != std::string::npos);
    BOOST_TEST(plan.changes[0] ==
               "removed 2 old hook line(s) calling /usr/local/bin/ovpn-mgmt-push.sh");
}

BOOST_AUTO_TEST_CASE(existing_plugin_keeps_its_instance) {
    auto plan =
        omp::plan_setup(parse(std::string(kFresh) +
                              "plugin /opt/openvpn-plugin-mgmt-push.so instance=edge socket=/x\n"),
                        options());
    BOOST_TEST(plan.source == "edge");
}

BOOST_AUTO_TEST_CASE(text_inside_inline_blocks_is_not_read_as_directives) {
    auto c = parse("server 10.8.0.0 255.255.255.0\n<ca>\nmanagement 1.2.3.4 1\n</ca>\n");
    BOOST_TEST(!omp::find_directive(c, "management"));
}

BOOST_AUTO_TEST_CASE(proto_family_and_server_detection) {
    BOOST_TEST(omp::proto_family(parse("proto tcp-server\n")) == "tcp");
    BOOST_TEST(omp::proto_family(parse("proto udp6\n")) == "udp");
    BOOST_TEST(omp::proto_family(parse("dev tun\n")) == "udp");  // OpenVPN's default
    BOOST_TEST(omp::is_server_config(parse("mode server\ntls-server\n")));
    BOOST_TEST(omp::is_server_config(parse("server-ipv6 fd00::/64\n")));
    BOOST_TEST(!omp::is_server_config(parse("client\nremote vpn.example 1194\n")));
}

BOOST_AUTO_TEST_CASE(comments_quotes_and_escapes_split_like_openvpn) {
    auto c =
        parse("# management 1.1.1.1 1\n; plugin x\nstatus \"/var/log/open vpn.log\" 10\nx a\\ b\n");
    BOOST_TEST(!omp::find_directive(c, "management"));
    BOOST_TEST((*omp::find_directive(c, "status"))[1] == "/var/log/open vpn.log");
    BOOST_TEST((*omp::find_directive(c, "x"))[1] == "a b");
}

BOOST_AUTO_TEST_CASE(unparsable_configs_are_refused_with_the_line) {
    BOOST_TEST(error_of("port 1194\nstatus \"/var/log/x\n").find("bad.conf:2") !=
               std::string::npos);
    BOOST_TEST(error_of("<ca>\nabc\n").find("<ca> is never closed") != std::string::npos);
    BOOST_TEST(error_of("verb 3\n</ca>\n").find("closes no open block") != std::string::npos);
    BOOST_TEST(error_of(std::string("verb 3\n\0\n", 9)).find("NUL") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_missing_final_newline_is_kept_when_nothing_changes) {
    std::string text =
        "server 10.8.0.0 255.255.255.0\nplugin /x/openvpn-plugin-mgmt-push.so instance=udp\n"
        "management 127.0.0.1 7505";
    auto plan = omp::plan_setup(parse(text), options());
    BOOST_TEST(plan.changes.empty());
    BOOST_TEST(omp::render_server_config(plan.config) == text);
}

BOOST_AUTO_TEST_SUITE_END()
