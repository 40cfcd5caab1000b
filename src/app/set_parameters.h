#pragma once
// --setParameter name=value: the server parameters cryptd knows, in one table. Unknown names
// are refused (OptionsError), as mongod does.

#include <string_view>

#include "app/options.h"

namespace cryptd::app {

void applySetParameter(AppOptions& options, std::string_view nameEqualsValue);

}  // namespace cryptd::app
