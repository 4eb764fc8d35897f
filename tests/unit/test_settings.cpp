// Precedence: flag > environment variable > config file > default (CONTRACT.md).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "config/setting_table.hpp"
#include "config/settings.hpp"
#include "fixtures.hpp"

namespace {

omp::Result<omp::Settings> resolve(std::vector<std::string> args, omp::Environment env = {},
                                   const std::string& config = "/dev/null") {
    args.insert(args.begin(), {"--config", config});
    return omp::resolve_settings(args, env);
}

std::string error_of(std::vector<std::string> args, omp::Environment env = {}) {
    auto s = resolve(std::move(args), std::move(env));
    BOOST_REQUIRE(!s.ok());
    return s.error().message;
}

bool mentions(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(settings)

BOOST_AUTO_TEST_CASE(defaults_are_the_contract_defaults) {
    auto s = resolve({"snapshot"});
    BOOST_REQUIRE(s.ok());
    BOOST_TEST((s->command == omp::Command::snapshot));
    BOOST_REQUIRE(s->endpoints.size() == 2u);
    BOOST_TEST(s->endpoints[0].name == "udp");
    BOOST_TEST(s->endpoints[0].address == "127.0.0.1:7505");
    BOOST_TEST(s->endpoints[1].name == "tcp");
    BOOST_TEST(s->endpoints[1].address == "127.0.0.1:7506");
    BOOST_TEST(s->interval.count() == 2.0);
    BOOST_TEST(s->event_socket == "/run/ovpn-mgmt-push/events.sock");
    BOOST_TEST(!s->panel);
}

BOOST_AUTO_TEST_CASE(flag_beats_variable_beats_file) {
    TempFile file("PUSH_INTERVAL=5\nEVENT_SOCKET=/file.sock\nPANEL_EVENTS_URL=http://file/x\n");
    auto s = resolve({"push", "--interval", "0.5"},
                     {{"PUSH_INTERVAL", "3"}, {"EVENT_SOCKET", "/env.sock"}}, file.path);
    BOOST_REQUIRE(s.ok());
    BOOST_TEST(s->interval.count() == 0.5);        // flag
    BOOST_TEST(s->event_socket == "/env.sock");    // variable over file
    BOOST_TEST(s->panel->url == "http://file/x");  // file alone
}

BOOST_AUTO_TEST_CASE(repeated_mgmt_flags_replace_the_variable_list) {
    auto s = resolve({"snapshot", "--mgmt", "a=127.0.0.1:1", "--mgmt", "b=127.0.0.1:2"},
                     {{"MGMT_ENDPOINTS", "x=127.0.0.1:9,y=127.0.0.1:8,z=127.0.0.1:7"}});
    BOOST_REQUIRE(s.ok());
    BOOST_REQUIRE(s->endpoints.size() == 2u);
    BOOST_TEST(s->endpoints[0].name == "a");
    BOOST_TEST(s->endpoints[1].name == "b");
}

BOOST_AUTO_TEST_CASE(mgmt_endpoints_variable_replaces_the_default) {
    auto s = resolve({"snapshot"}, {{"MGMT_ENDPOINTS", "only=127.0.0.1:9"}});
    BOOST_REQUIRE(s.ok());
    BOOST_TEST(s->endpoints.size() == 1u);
}

BOOST_AUTO_TEST_CASE(url_is_built_from_panel_url_and_server_id) {
    auto s = resolve({"push"}, {{"PANEL_URL", "https://panel.example/"}, {"SERVER_ID", "12"}});
    BOOST_REQUIRE(s.ok());
    BOOST_TEST(s->panel->url == "https://panel.example/api/servers/12/events");
}

BOOST_AUTO_TEST_CASE(panel_events_url_beats_panel_url) {
    auto s = resolve(
        {"push"},
        {{"PANEL_EVENTS_URL", "http://a/e"}, {"PANEL_URL", "http://b"}, {"SERVER_ID", "1"}});
    BOOST_REQUIRE(s.ok());
    BOOST_TEST(s->panel->url == "http://a/e");
}

BOOST_AUTO_TEST_CASE(panel_gzip_is_off_unless_set_by_flag_or_variable) {
    omp::Environment panel{{"PANEL_EVENTS_URL", "https://panel.example/e"}};
    BOOST_TEST((resolve({"push"}, panel)->panel->gzip == omp::PanelGzip::off));
    BOOST_TEST((resolve({"push", "--panel-gzip", "on"}, panel)->panel->gzip == omp::PanelGzip::on));
    panel.emplace("PANEL_GZIP", "auto");
    BOOST_TEST((resolve({"push"}, panel)->panel->gzip == omp::PanelGzip::automatic));
    panel["PANEL_GZIP"] = "gzip";
    BOOST_TEST(mentions(error_of({"push"}, panel), "bad panel gzip `gzip'"));
}

BOOST_AUTO_TEST_CASE(run_and_push_refuse_to_start_without_a_url) {
    BOOST_TEST(mentions(error_of({"push"}), "no panel URL"));
    BOOST_TEST(mentions(error_of({"run"}), "no panel URL"));
}

BOOST_AUTO_TEST_CASE(token_comes_from_variable_or_file) {
    TempFile token("from-file\n");
    auto s = resolve({"push", "--url", "http://p/e", "--token-file", token.path},
                     {{"PANEL_TOKEN", "from-env"}});
    BOOST_REQUIRE(s.ok());
    BOOST_TEST(*s->panel->token == "from-file");
    s = resolve({"push", "--url", "http://p/e"}, {{"PANEL_TOKEN", "from-env"}});
    BOOST_TEST(*s->panel->token == "from-env");
}

BOOST_AUTO_TEST_CASE(unreadable_token_file_is_an_error_naming_it) {
    auto e = error_of({"push", "--url", "http://p/e", "--token-file", "/nonexistent/token"});
    BOOST_TEST(mentions(e, "/nonexistent/token"));
}

BOOST_AUTO_TEST_CASE(world_readable_token_file_is_a_warning) {
    TempFile token("t\n", 0644);
    auto s = resolve({"push", "--url", "https://p/e", "--token-file", token.path});
    BOOST_REQUIRE(s.ok());
    BOOST_REQUIRE(s->warnings.size() == 1u);
    BOOST_TEST(mentions(s->warnings[0], token.path));
}

BOOST_AUTO_TEST_CASE(unknown_variables_in_the_config_file_are_named_in_a_warning) {
    TempFile file("PANEL_URLL=http://typo\n");
    auto s = resolve({"snapshot"}, {}, file.path);
    BOOST_REQUIRE(s.ok());
    BOOST_REQUIRE(s->warnings.size() == 1u);
    BOOST_TEST(mentions(s->warnings[0], "PANEL_URLL"));
}

BOOST_AUTO_TEST_CASE(bad_values_are_named) {
    BOOST_TEST(mentions(error_of({"snapshot", "--interval", "0"}), "`0'"));
    BOOST_TEST(mentions(error_of({"snapshot", "--interval", "fast"}), "`fast'"));
    BOOST_TEST(mentions(error_of({"snapshot", "--interval", "nan"}), "`nan'"));
    BOOST_TEST(mentions(error_of({"snapshot", "--interval", "-1"}), "`-1'"));
    BOOST_TEST(
        mentions(error_of({"snapshot", "--mgmt", "udp=127.0.0.1:75o5"}), "`udp=127.0.0.1:75o5'"));
    BOOST_TEST(mentions(error_of({"snapshot", "--bogus"}), "`--bogus'"));
    BOOST_TEST(mentions(error_of({"frobnicate"}), "`frobnicate'"));
    BOOST_TEST(mentions(error_of({"snapshot", "--interval"}), "needs a value"));
    BOOST_TEST(mentions(error_of({"snapshot"}, {{"PUSH_INTERVAL", "2s"}}), "`2s'"));
}

BOOST_AUTO_TEST_CASE(a_missing_subcommand_is_a_usage_error) {
    BOOST_TEST(mentions(error_of({}), "missing subcommand"));
}

BOOST_AUTO_TEST_CASE(help_and_version_need_no_subcommand) {
    BOOST_TEST((resolve({"--help"})->command == omp::Command::help));
    BOOST_TEST((resolve({"--version"})->command == omp::Command::version));
}

BOOST_AUTO_TEST_CASE(flags_accept_the_equals_form) {
    auto s = resolve({"snapshot", "--interval=1.5"});
    BOOST_REQUIRE(s.ok());
    BOOST_TEST(s->interval.count() == 1.5);
}

BOOST_AUTO_TEST_CASE(a_missing_explicit_config_file_is_an_error) {
    auto s = omp::resolve_settings({"snapshot", "--config", "/nonexistent/omp"}, {});
    BOOST_REQUIRE(!s.ok());
    BOOST_TEST(mentions(s.error().message, "/nonexistent/omp"));
}

BOOST_AUTO_TEST_CASE(wireguard_interfaces_come_from_flags_or_the_variable) {
    auto s =
        resolve({"snapshot", "--wg", "wg=wg0", "--wg", "office=wg1"}, {{"WG_INTERFACES", "x=wg9"}});
    BOOST_REQUIRE(s.ok());
    BOOST_REQUIRE(s->wg_interfaces.size() == 2u);
    BOOST_TEST(s->wg_interfaces[1].name == "office");
    BOOST_TEST(s->wg_interfaces[1].iface == "wg1");
    auto v = resolve({"snapshot"}, {{"WG_INTERFACES", "wg=wg0, office=wg1"}});
    BOOST_REQUIRE(v.ok());
    BOOST_TEST(v->wg_interfaces.size() == 2u);
    BOOST_TEST(v->wg_handshake_timeout.count() == 180);
}

BOOST_AUTO_TEST_CASE(a_wireguard_source_may_not_reuse_an_endpoint_name) {
    BOOST_TEST(mentions(error_of({"snapshot", "--wg", "udp=wg0"}), "`udp'"));
    BOOST_TEST(mentions(error_of({"snapshot", "--wg", "a=wg0", "--wg", "b=wg0"}), "`wg0'"));
}

BOOST_AUTO_TEST_CASE(wireguard_alone_needs_no_management_endpoint) {
    auto s = resolve({"snapshot", "--wg", "wg=wg0"}, {{"MGMT_ENDPOINTS", ""}});
    BOOST_REQUIRE(s.ok());
    BOOST_TEST(s->endpoints.empty());
    BOOST_TEST(mentions(error_of({"snapshot"}, {{"MGMT_ENDPOINTS", ""}}), "no source"));
}

BOOST_AUTO_TEST_CASE(wireguard_peer_names_are_read_and_bad_files_named) {
    TempFile peers("ogMMPiPr2UlmixhMYPpV56qdfeAJY57ajcGWfX3LBVc= alice\n");
    auto s = resolve({"snapshot", "--wg", "wg=wg0", "--wg-peers", peers.path});
    BOOST_REQUIRE(s.ok());
    BOOST_TEST(s->wg_peer_names.size() == 1u);
    BOOST_TEST(
        mentions(error_of({"snapshot", "--wg-peers", "/nonexistent/peers"}), "/nonexistent/peers"));
    BOOST_TEST(mentions(error_of({"snapshot", "--wg-handshake-timeout", "0"}), "`0'"));
}

BOOST_AUTO_TEST_CASE(an_ovpn_log_is_a_file_path_or_a_journal_unit) {
    auto s = resolve({"snapshot", "--ovpn-log", "udp=/var/log/openvpn/udp.log", "--ovpn-log",
                      "tcp=journal:openvpn-server@tcp"});
    BOOST_REQUIRE(s.ok());
    BOOST_REQUIRE(s->ovpn_logs.size() == 2u);
    BOOST_TEST(s->ovpn_logs[1].second == "journal:openvpn-server@tcp");
    BOOST_TEST(
        mentions(error_of({"snapshot", "--ovpn-log", "tcp=journal:bad unit"}), "`bad unit'"));
    BOOST_TEST(mentions(error_of({"snapshot", "--ovpn-log", "tcp=journal:"}), "`tcp=journal:'"));
    BOOST_TEST(mentions(error_of({"snapshot", "--ovpn-log", "tcp=relative.log"}), "absolute"));
}

BOOST_AUTO_TEST_CASE(the_default_config_file_beats_the_old_scripts_file_key_by_key) {
    omp::KeyValues legacy = {
        {"PANEL_URL", "https://old.example"}, {"SERVER_ID", "7"}, {"PANEL_TOKEN", "t"}};
    omp::KeyValues current = {{"PANEL_URL", "https://new.example"},
                              {"MGMT_ENDPOINTS", "udp=unix:/run/x"}};
    auto merged = omp::merge_config_files({legacy, current});
    BOOST_TEST(merged["PANEL_URL"] == "https://new.example");
    BOOST_TEST(merged["SERVER_ID"] == "7");
    BOOST_TEST(merged["PANEL_TOKEN"] == "t");
    BOOST_TEST(merged["MGMT_ENDPOINTS"] == "udp=unix:/run/x");
}

BOOST_AUTO_TEST_CASE(is_configured_is_a_subcommand_that_needs_no_panel_url) {
    auto s = resolve({"is-configured"});
    BOOST_REQUIRE(s.ok());
    BOOST_TEST((s->command == omp::Command::is_configured));
    BOOST_TEST(!s->panel.has_value());
    auto with_url =
        resolve({"is-configured"}, {{"PANEL_URL", "https://panel.example"}, {"SERVER_ID", "7"}});
    BOOST_REQUIRE(with_url.ok());
    BOOST_TEST(with_url->panel.has_value());
}

BOOST_AUTO_TEST_CASE(metrics_are_off_unless_an_address_is_given) {
    BOOST_TEST(!resolve({"snapshot"})->metrics);
    auto s = resolve({"snapshot", "--metrics-listen", "127.0.0.1:9469"});
    BOOST_REQUIRE(s->metrics);
    BOOST_TEST(s->metrics->address == "127.0.0.1:9469");
    BOOST_TEST(s->metrics->loopback);
    BOOST_TEST(s->metrics->per_session);
    BOOST_TEST(mentions(error_of({"snapshot", "--metrics-listen", "localhost"}), "`localhost'"));
    BOOST_TEST(mentions(error_of({"snapshot", "--metrics-listen", "unix:/run/m.sock"}),
                        "`unix:/run/m.sock'"));
}

BOOST_AUTO_TEST_CASE(metrics_no_sessions_is_a_switch_and_a_variable) {
    auto flag = resolve({"snapshot", "--metrics-listen", "[::1]:9469", "--metrics-no-sessions"});
    BOOST_REQUIRE(flag->metrics);
    BOOST_TEST(!flag->metrics->per_session);
    BOOST_TEST(flag->metrics->loopback);
    auto variable =
        resolve({"snapshot"}, {{"METRICS_LISTEN", "127.0.0.1:9469"}, {"METRICS_NO_SESSIONS", "1"}});
    BOOST_TEST(!variable->metrics->per_session);
    BOOST_TEST(mentions(error_of({"snapshot", "--metrics-listen", "127.0.0.1:9469"},
                                 {{"METRICS_NO_SESSIONS", "maybe"}}),
                        "`maybe'"));
}

BOOST_AUTO_TEST_CASE(metrics_off_loopback_need_credentials_from_a_0600_file) {
    auto open = error_of({"snapshot", "--metrics-listen", "0.0.0.0:9469"});
    BOOST_TEST(mentions(open, "`0.0.0.0:9469'"));
    BOOST_TEST(mentions(open, "METRICS_AUTH_FILE"));
    TempFile loose("prom:secret\n", 0644);
    auto mode = error_of(
        {"snapshot", "--metrics-listen", "0.0.0.0:9469", "--metrics-auth-file", loose.path});
    BOOST_TEST(mentions(mode, "mode 0644"));
    BOOST_TEST(!mentions(mode, "secret"));
    TempFile bad("no-colon\n");
    BOOST_TEST(mentions(
        error_of({"snapshot", "--metrics-listen", "0.0.0.0:9469", "--metrics-auth-file", bad.path}),
        "USER:PASSWORD"));
    TempFile good("prom:s3cret:with:colons\n");
    auto s =
        resolve({"snapshot", "--metrics-listen", "0.0.0.0:9469", "--metrics-auth-file", good.path});
    BOOST_REQUIRE(s.ok());
    BOOST_TEST(!s->metrics->loopback);
    BOOST_TEST(s->metrics->user == "prom");
    BOOST_TEST(s->metrics->password == "s3cret:with:colons");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(secrets_in_settings)

bool warns(const omp::Settings& s, const std::string& part) {
    return std::any_of(s.warnings.begin(), s.warnings.end(),
                       [&](const std::string& w) { return mentions(w, part); });
}

BOOST_AUTO_TEST_CASE(a_config_file_holding_a_token_that_everyone_can_read_is_warned_about) {
    TempFile open_file("PANEL_EVENTS_URL=https://panel/x\nPANEL_TOKEN=t0ken\n", 0644);
    auto s = resolve({"push"}, {}, open_file.path);
    BOOST_REQUIRE(s.ok());
    BOOST_TEST(warns(*s, open_file.path + "' holds PANEL_TOKEN and is readable by every user"));
    TempFile closed_file("PANEL_EVENTS_URL=https://panel/x\nPANEL_TOKEN=t0ken\n", 0600);
    auto quiet = resolve({"push"}, {}, closed_file.path);
    BOOST_REQUIRE(quiet.ok());
    BOOST_TEST(quiet->warnings.empty());
}

BOOST_AUTO_TEST_CASE(a_token_sent_to_an_http_panel_is_warned_about) {
    auto s = resolve({"push", "--url", "http://panel/x"}, {{"PANEL_TOKEN", "t0ken"}});
    BOOST_REQUIRE(s.ok());
    BOOST_TEST(warns(*s, "the token travels in clear"));
    auto tls = resolve({"push", "--url", "https://panel/x"}, {{"PANEL_TOKEN", "t0ken"}});
    BOOST_REQUIRE(tls.ok());
    BOOST_TEST(!warns(*tls, "in clear"));
    auto no_token = resolve({"push", "--url", "http://panel/x"});
    BOOST_REQUIRE(no_token.ok());
    BOOST_TEST(!warns(*no_token, "in clear"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(setting_table)

namespace {

// The man page's OPTIONS section, with roff's escaped hyphens plain.
std::string man_page_options() {
    std::ifstream in(std::string(OMP_SOURCE_DIR) + "/conf/ovpn-mgmt-push.8");
    std::stringstream text;
    text << in.rdbuf();
    std::string page = text.str();
    auto start = page.find(".SH OPTIONS");
    auto end = page.find(".SH ", start + 1);
    BOOST_REQUIRE(start != std::string::npos);
    std::string section = page.substr(start, end - start);
    for (std::size_t at; (at = section.find("\\-")) != std::string::npos;)
        section.replace(at, 2, "-");
    return section;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_man_page_documents_every_setting_and_no_other_option) {
    std::string options = man_page_options();
    std::set<std::string> flags{"--config"};
    for (const auto& row : omp::setting_table()) {
        if (!row.flag.empty()) {
            flags.insert(std::string(row.flag));
            // A switch takes no value: .B FLAG; an option with one: .BI FLAG " VALUE".
            std::string entry = row.value_name.empty() ? ".B " + std::string(row.flag) + "\n"
                                                       : ".BI " + std::string(row.flag) + " ";
            BOOST_TEST(mentions(options, entry), row.flag << " is not in the man page");
        }
        BOOST_TEST(mentions(options, std::string(row.variable)),
                   row.variable << " is not in the man page");
    }
    std::regex flag("--[a-z][a-z-]*");
    for (std::sregex_iterator it(options.begin(), options.end(), flag), end; it != end; ++it) {
        BOOST_TEST(flags.count(it->str()) == 1u, it->str() << " in the man page is not a setting");
    }
}

BOOST_AUTO_TEST_CASE(the_usage_text_lists_every_flag_and_variable) {
    std::string usage = omp::usage_text();
    for (const auto& row : omp::setting_table()) {
        if (!row.flag.empty())
            BOOST_TEST(mentions(usage, "  " + std::string(row.flag) + " "), row.flag);
        BOOST_TEST(mentions(usage, std::string(row.variable)), row.variable);
    }
}

BOOST_AUTO_TEST_CASE(an_unconfigured_setting_resolves_to_the_default_the_contract_gives) {
    auto s = resolve({"snapshot"});
    BOOST_REQUIRE(s.ok());
    BOOST_TEST(s->interval.count() == 2.0);
    BOOST_TEST(s->max_records == 10000u);
    BOOST_TEST(s->event_user == "nobody");
    BOOST_TEST(s->event_socket == "/run/ovpn-mgmt-push/events.sock");
    BOOST_TEST(s->state_dir == "/var/lib/ovpn-mgmt-push");
    BOOST_TEST(s->wg_uapi_dir == "/run/wireguard");
    BOOST_TEST(s->wg_handshake_timeout.count() == 180);
    BOOST_TEST(s->mgmt_timeouts.connect.count() == 1000);
    BOOST_TEST(s->mgmt_timeouts.total.count() == 2000);
}

BOOST_AUTO_TEST_CASE(resolving_values_reads_no_file) {
    // A token file that does not exist: the pure step names it, only the file step reads it.
    auto line = omp::parse_command_line(
        {"push", "--url", "http://x/y", "--token-file", "/nonexistent/token"});
    BOOST_REQUIRE(line.ok());
    auto s = omp::resolve_values(*line, {}, {});
    BOOST_REQUIRE(s.ok());
    BOOST_TEST(*s->panel_token_file == "/nonexistent/token");
    auto read = omp::read_setting_files(*s);
    BOOST_REQUIRE(!read.ok());
    BOOST_TEST(mentions(read.error().message, "/nonexistent/token"));
}

BOOST_AUTO_TEST_SUITE_END()
