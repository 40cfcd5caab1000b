// cryptd-check: validate CSFLE encryption schemas offline (see check_main.h).

#include <iostream>
#include <string>
#include <vector>

#include "check/check_main.h"

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    return cryptd::check::runCheck(args, std::cout, std::cerr);
}
