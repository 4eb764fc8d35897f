#define BOOST_TEST_MODULE ovpn_mgmt_push
#include <boost/test/unit_test.hpp>
