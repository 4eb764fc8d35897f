#include <boost/test/unit_test.hpp>

#include "setup/old_units.hpp"

namespace {

const char* kOldOneshot =
    "[Unit]\nDescription=Push OpenVPN status to the panel\n\n[Service]\nType=oneshot\n"
    "ExecStart=/usr/local/bin/ovpn-mgmt-push.sh\n";
const char* kOldTimer =
    "[Unit]\nDescription=every 2 "
    "s\n\n[Timer]\nOnBootSec=10s\nOnUnitActiveSec=2s\nAccuracySec=100ms\n\n"
    "[Install]\nWantedBy=timers.target\n";
const char* kPackageUnit =
    "[Unit]\nDescription=Live OpenVPN session push\n\n[Service]\nType=notify\n"
    "ExecCondition=/usr/sbin/ovpn-mgmt-push is-configured\nExecStart=/usr/sbin/ovpn-mgmt-push "
    "run\n\n"
    "[Install]\nWantedBy=multi-user.target\n";

omp::UnitFile admin(std::string name, std::string text) {
    return {omp::kAdminUnitDir, std::move(name), std::move(text)};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(old_units)

BOOST_AUTO_TEST_CASE(a_oneshot_in_etc_that_runs_the_script_shadows_the_package_unit_and_is_old) {
    BOOST_TEST(omp::is_old_script_unit(admin("ovpn-mgmt-push.service", kOldOneshot)));
}

BOOST_AUTO_TEST_CASE(an_admins_full_copy_of_the_package_unit_is_left_alone) {
    BOOST_TEST(!omp::is_old_script_unit(admin("ovpn-mgmt-push.service", kPackageUnit)));
    std::string prefixed =
        "[Service]\nExecStart=\nExecStart=-/usr/sbin/ovpn-mgmt-push run --interval 5\n";
    BOOST_TEST(!omp::is_old_script_unit(admin("ovpn-mgmt-push.service", prefixed)));
}

BOOST_AUTO_TEST_CASE(the_package_unit_in_lib_is_never_old) {
    BOOST_TEST(
        !omp::is_old_script_unit({"/lib/systemd/system", "ovpn-mgmt-push.service", kOldOneshot}));
}

BOOST_AUTO_TEST_CASE(every_timer_and_status_push_service_of_the_script_is_old_wherever_it_is) {
    for (const char* name :
         {"ovpn-mgmt-push.timer", "ovpn-status-push.timer", "ovpn-status-push-tcp.timer",
          "ovpn-status-push.service", "ovpn-status-push-tcp.service"}) {
        BOOST_TEST(omp::is_old_script_unit(admin(name, kOldTimer)), name);
        BOOST_TEST(omp::is_old_script_unit({"/lib/systemd/system", name, kOldTimer}), name);
    }
    BOOST_TEST(!omp::is_old_script_unit(admin("openvpn-server@server.service", kOldOneshot)));
}

BOOST_AUTO_TEST_CASE(the_plan_stops_timers_before_services_and_moves_only_admin_files) {
    auto plan = omp::plan_retirement({admin("ovpn-mgmt-push.service", kOldOneshot),
                                      {"/lib/systemd/system", "ovpn-status-push.timer", kOldTimer},
                                      admin("ovpn-mgmt-push.timer", kOldTimer),
                                      admin("unrelated.timer", kOldTimer)});
    BOOST_REQUIRE_EQUAL(plan.size(), 3u);
    BOOST_TEST(plan[0].unit.name == "ovpn-status-push.timer");
    BOOST_TEST(!plan[0].move_aside);
    BOOST_TEST(plan[1].unit.name == "ovpn-mgmt-push.timer");
    BOOST_TEST(plan[1].move_aside);
    BOOST_TEST(plan[1].has_install_section);
    BOOST_TEST(plan[2].unit.name == "ovpn-mgmt-push.service");
    BOOST_TEST(plan[2].move_aside);
    BOOST_TEST(!plan[2].has_install_section);  // a oneshot started by its timer: nothing to disable
}

BOOST_AUTO_TEST_CASE(backups_are_named_so_systemd_ignores_them_and_setup_recognises_them) {
    std::string backup = omp::retired_unit_backup_name("ovpn-mgmt-push.timer", "20261204-001500");
    BOOST_TEST(backup == "ovpn-mgmt-push.timer.bak-ovpn-mgmt-push-20261204-001500");
    BOOST_TEST(omp::is_retired_unit_backup(backup));
    BOOST_TEST(omp::is_retired_unit_backup(backup + "-2"));
    BOOST_TEST(!omp::is_retired_unit_backup("server.conf.bak-ovpn-mgmt-push-20261204-001500"));
    BOOST_TEST(!omp::is_retired_unit_backup("ovpn-mgmt-push.timer"));
}

BOOST_AUTO_TEST_SUITE_END()
