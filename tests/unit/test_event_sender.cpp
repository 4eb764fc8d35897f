// The plugin's logic, driven without OpenVPN: arguments, the datagram it sends, and that a
// missing, full or restarted aggregator costs nothing but a rate-limited log line.
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cstdarg>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "event/sender_key.hpp"
#include "plugin/event_sender.hpp"

using namespace omp::plugin;

namespace {

std::vector<std::string> g_log;

void capture_log(openvpn_plugin_log_flags_t, const char* name, const char* format, ...) {
    char text[1024];
    va_list ap;
    va_start(ap, format);
    vsnprintf(text, sizeof text, format, ap);
    va_end(ap);
    g_log.push_back(std::string(name) + ": " + text);
}

struct Receiver {
    std::string path;
    int fd = -1;
    explicit Receiver(std::string p) : path(std::move(p)) { bind_now(); }
    void bind_now() {
        unlink(path.c_str());
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::strcpy(a.sun_path, path.c_str());
        BOOST_REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    }
    void close_now() {
        close(fd);
        unlink(path.c_str());
        fd = -1;
    }
    std::optional<omp::event::Event> receive() {
        char buf[omp::event::kMaxDatagram];
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0) return std::nullopt;
        auto r = omp::event::decode(std::string_view(buf, n));
        if (!r) return std::nullopt;
        return *r;
    }
    ~Receiver() {
        if (fd >= 0) close_now();
        unlink((path + ".key").c_str());  // made by the sender when missing
    }
};

std::string temp_socket_path() {
    return "/tmp/omp-test-" + std::to_string(getpid()) + "-" + std::to_string(rand()) + ".sock";
}

PluginArgs args_ok(const char* const* words) {
    auto r = parse_args(words);
    if (!r) BOOST_FAIL(r.error().message);
    return *r;
}

std::string args_error(const char* const* words) {
    auto r = parse_args(words);
    BOOST_REQUIRE(!r.ok());
    return r.error().message;
}

std::unique_ptr<EventSender> make_sender(const std::string& path) {
    PluginArgs a;
    a.source = "udp";
    a.socket_path = path;
    auto r = EventSender::create(a, capture_log);
    BOOST_REQUIRE(r.ok());
    return std::unique_ptr<EventSender>(*r);
}

const char* kConnectEnv[] = {"common_name=alice-cn",
                             "username=alice",
                             "trusted_ip=192.0.2.7",
                             "trusted_port=40000",
                             "ifconfig_pool_remote_ip=10.8.0.2",
                             "time_unix=1730000000",
                             "untrusted_ip=192.0.2.7",
                             "verb=3",
                             nullptr};

}  // namespace

BOOST_AUTO_TEST_SUITE(event_sender)

BOOST_AUTO_TEST_CASE(args_need_instance_and_default_the_socket) {
    const char* words[] = {"instance=udp", nullptr};
    auto a = args_ok(words);
    BOOST_TEST(a.source == "udp");
    BOOST_TEST(a.socket_path == "/run/ovpn-mgmt-push/events.sock");
    const char* none[] = {nullptr};
    BOOST_TEST(args_error(none).find("instance") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unknown_argument_is_named) {
    const char* words[] = {"instance=udp", "sockte=/x", nullptr};
    BOOST_TEST(args_error(words).find("`sockte=/x'") != std::string::npos);
    const char* bare[] = {"instance=udp", "verbose", nullptr};
    BOOST_TEST(args_error(bare).find("`verbose'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_instance_and_socket_are_named) {
    const char* inst[] = {"instance=u d p", nullptr};
    BOOST_TEST(args_error(inst).find("`u d p'") != std::string::npos);
    const char* rel[] = {"instance=udp", "socket=relative.sock", nullptr};
    BOOST_TEST(args_error(rel).find("`relative.sock'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(connect_sends_one_datagram_with_the_client_fields) {
    Receiver rx(temp_socket_path());
    auto sender = make_sender(rx.path);
    sender->on_client_event(omp::event::Kind::connect, kConnectEnv);
    auto e = rx.receive();
    BOOST_REQUIRE(e);
    BOOST_TEST(e->source == "udp");
    BOOST_TEST(e->common_name == "alice-cn");
    BOOST_TEST(e->username == "alice");
    BOOST_TEST(e->real_ip == "192.0.2.7");
    BOOST_TEST(e->real_port == 40000);
    BOOST_TEST(e->virtual_ip == "10.8.0.2");
    BOOST_TEST(e->connected_at == 1730000000);
    BOOST_TEST(e->ts_us > 1700000000000000);
    BOOST_TEST(!rx.receive());  // exactly one
    BOOST_TEST(sender->sent() == 1u);
}

BOOST_AUTO_TEST_CASE(a_variable_is_read_only_by_its_whole_name) {
    // Names that start like a wanted one, or hold it whole, are not it; the last one wins.
    const char* env[] = {"common_names=wrong",
                         "common_name",
                         "t",
                         "trusted",
                         "x_common_name=wrong",
                         "trusted_ip6=2001:db8::7",
                         "trusted_portal=wrong",
                         "trusted_port=40000",
                         "ifconfig_pool_remote_ip6=fd00::2",
                         "ifconfig_pool_remote_ip=10.8.0.9",
                         "username=",
                         "common_name=bob",
                         "",
                         nullptr};
    omp::event::EventFields f;
    omp::plugin::read_client_env(env, f);
    BOOST_TEST(f.common_name == "bob");
    BOOST_TEST(f.real_ip == "2001:db8::7");
    BOOST_TEST(f.real_port == "40000");
    BOOST_TEST(f.virtual_ip == "10.8.0.9");
    BOOST_TEST(f.virtual_ipv6 == "fd00::2");
    BOOST_TEST(f.username.empty());
    BOOST_TEST(f.connected_at.empty());
}

BOOST_AUTO_TEST_CASE(every_datagram_carries_the_sender_key_read_at_start) {
    Receiver rx(temp_socket_path());
    auto sender = make_sender(rx.path);  // creates SOCKET.key, as OpenVPN's root start would
    auto key = omp::event::load_or_create_sender_key(rx.path + ".key");
    BOOST_REQUIRE(key.ok());
    sender->on_client_event(omp::event::Kind::connect, kConnectEnv);
    auto e = rx.receive();
    BOOST_REQUIRE(e);
    BOOST_TEST(e->sender_key == *key);
}

BOOST_AUTO_TEST_CASE(a_key_others_can_read_is_refused_and_named_but_events_still_go) {
    Receiver rx(temp_socket_path());
    { std::ofstream(rx.path + ".key") << std::string(64, 'a') << "\n"; }
    chmod((rx.path + ".key").c_str(), 0644);
    g_log.clear();
    auto sender = make_sender(rx.path);
    BOOST_REQUIRE(g_log.size() == 1u);
    BOOST_TEST(g_log[0].find(rx.path + ".key' is readable by others") != std::string::npos);
    sender->on_client_event(omp::event::Kind::connect, kConnectEnv);
    auto e = rx.receive();
    BOOST_REQUIRE(e);  // the client is never held up; the daemon drops it
    BOOST_TEST(e->sender_key.empty());
}

BOOST_AUTO_TEST_CASE(disconnect_carries_final_counters_and_ipv6_address) {
    Receiver rx(temp_socket_path());
    auto sender = make_sender(rx.path);
    const char* env[] = {"common_name=bob",
                         "trusted_ip6=2001:db8::5",
                         "trusted_port=1194",
                         "bytes_received=100",
                         "bytes_sent=200",
                         "time_duration=30",
                         nullptr};
    sender->on_client_event(omp::event::Kind::disconnect, env);
    auto e = rx.receive();
    BOOST_REQUIRE(e);
    BOOST_TEST(e->real_ip == "2001:db8::5");
    BOOST_TEST(*e->bytes_received == 100u);
    BOOST_TEST(*e->bytes_sent == 200u);
    BOOST_TEST(*e->duration == 30);
}

BOOST_AUTO_TEST_CASE(missing_aggregator_costs_one_log_line_not_a_failure) {
    g_log.clear();
    auto path = temp_socket_path();
    auto sender = make_sender(path);  // nobody listens there
    unlink((path + ".key").c_str());
    for (int i = 0; i < 100; ++i) sender->on_client_event(omp::event::Kind::connect, kConnectEnv);
    BOOST_TEST(sender->dropped() == 100u);
    BOOST_REQUIRE(g_log.size() == 1u);  // rate-limited: once a minute
    BOOST_TEST(g_log[0].find("mgmt-push: cannot send event") == 0u);
}

BOOST_AUTO_TEST_CASE(full_aggregator_never_blocks_the_hook) {
    g_log.clear();
    Receiver rx(temp_socket_path());  // never reads
    auto sender = make_sender(rx.path);
    for (int i = 0; i < 2000; ++i) sender->on_client_event(omp::event::Kind::connect, kConnectEnv);
    BOOST_TEST(sender->sent() + sender->dropped() == 2000u);
    BOOST_TEST(sender->dropped() > 0u);
    BOOST_TEST(g_log.size() == 1u);
}

BOOST_AUTO_TEST_CASE(restarted_aggregator_is_reached_again) {
    g_log.clear();
    Receiver rx(temp_socket_path());
    auto sender = make_sender(rx.path);
    rx.close_now();
    sender->on_client_event(omp::event::Kind::connect, kConnectEnv);
    BOOST_TEST(sender->dropped() == 1u);
    rx.bind_now();  // a new socket inode at the same path
    sender->on_client_event(omp::event::Kind::connect, kConnectEnv);
    BOOST_TEST(rx.receive().has_value());
    BOOST_REQUIRE(g_log.size() == 2u);
    BOOST_TEST(g_log[1].find("again") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_aggregator_restarted_between_two_events_gets_the_second) {
    // The sender stays connected to the socket it reached; a restart replaces that socket.
    g_log.clear();
    Receiver rx(temp_socket_path());
    auto sender = make_sender(rx.path);
    sender->on_client_event(omp::event::Kind::connect, kConnectEnv);
    BOOST_TEST(rx.receive().has_value());
    rx.close_now();
    rx.bind_now();
    sender->on_client_event(omp::event::Kind::disconnect, kConnectEnv);
    auto e = rx.receive();
    BOOST_REQUIRE(e);
    BOOST_TEST((e->kind == omp::event::Kind::disconnect));
    BOOST_TEST(sender->sent() == 2u);
    BOOST_TEST(sender->dropped() == 0u);
    BOOST_TEST(g_log.empty());
}

BOOST_AUTO_TEST_CASE(an_aggregator_started_after_openvpn_gets_the_first_event) {
    auto path = temp_socket_path();
    auto sender = make_sender(path);  // nothing listens yet
    Receiver rx(path);
    sender->on_client_event(omp::event::Kind::connect, kConnectEnv);
    BOOST_TEST(rx.receive().has_value());
    BOOST_TEST(sender->dropped() == 0u);
}

BOOST_AUTO_TEST_CASE(a_full_queue_keeps_the_connection_and_later_events_arrive) {
    Receiver rx(temp_socket_path());  // reads only at the end
    auto sender = make_sender(rx.path);
    std::uint64_t events = 0;
    while (sender->dropped() == 0 && events < 100000) {
        sender->on_client_event(omp::event::Kind::connect, kConnectEnv);
        ++events;
    }
    BOOST_REQUIRE(sender->dropped() == 1u);
    while (rx.receive()) {
    }
    sender->on_client_event(omp::event::Kind::disconnect, kConnectEnv);
    auto e = rx.receive();
    BOOST_REQUIRE(e);
    BOOST_TEST((e->kind == omp::event::Kind::disconnect));
}

BOOST_AUTO_TEST_CASE(drop_reporter_reports_again_after_a_minute_with_a_count) {
    g_log.clear();
    DropReporter reporter(capture_log);
    reporter.failed(ECONNREFUSED, "/s", 100);
    reporter.failed(ECONNREFUSED, "/s", 110);
    reporter.failed(ECONNREFUSED, "/s", 159);
    BOOST_TEST(g_log.size() == 1u);
    reporter.failed(ECONNREFUSED, "/s", 161);
    BOOST_REQUIRE(g_log.size() == 2u);
    BOOST_TEST(g_log[1].find("3 event(s) dropped") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
