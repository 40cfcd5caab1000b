#pragma once
// Process exit codes, as MongoDB documents them ("exit codes").

namespace cryptd::app {

enum ExitCode : int {
    kExitClean = 0,
    kExitFailure = 1,         // could not start for another reason (e.g. log file)
    kExitBadOptions = 2,      // bad command line or config file
    kExitIdleShutdown = 12,   // --idleShutdownTimeoutSecs expired (mongocryptd's ExitCode::kill)
    kExitUncaught = 14,       // unrecoverable internal error
    kExitListenFailure = 48,  // port/socket in use, or the pid file is locked by another daemon
};

}  // namespace cryptd::app
