// A probe that must not compile: core may not see the panel (docs/development.md).
// tests/layout/check_layout.sh builds it and expects the include to be refused.
#include "panel/panel_client.hpp"

int probe() {
    return 0;
}
