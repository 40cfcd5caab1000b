#include "driver_auto_encryption.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <thread>

#include "child_process.h"
#include "support/daemon_process.h"

namespace cryptd::e2e {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// The contract's text for a comparison on an encrypted field; drivers wrap it in their own words.
constexpr const char* kRefusal = "Invalid match expression operator on encrypted field 'ssn': $gt";
// Plaintexts of encrypted fields: none may reach the server in any command.
constexpr const char* kSecrets[] = {"457-55-5462", "123-45-6789", "allergic", "updated"};
constexpr uint8_t kString = 0x02;

std::string readFile(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A private directory for the pid file, the unix socket, the record file and the driver's cwd.
class TempDir {
  public:
    TempDir() {
        std::string t = (fs::temp_directory_path() / "cryptd-driver-XXXXXX").string();
        if (!mkdtemp(t.data())) throw std::runtime_error("mkdtemp failed");
        path_ = t;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

// fake_mongod.py on a free loopback port, appending every command it gets to a file as BSON.
class RecordingFakeMongod {
  public:
    explicit RecordingFakeMongod(std::string recordFile)
        : recordFile_(std::move(recordFile)),
          proc_({{"/usr/bin/python3", std::string(CRYPTD_SOURCE_DIR) + "/tests/e2e/fake_mongod.py",
                  "--record", recordFile_},
                 {},
                 true}) {
        auto line = proc_.nextLine(10s);
        if (!line || line->rfind("PORT ", 0) != 0)
            throw std::runtime_error("fake mongod did not start:\n" + proc_.output());
        port_ = std::stoi(line->substr(5));
    }
    ~RecordingFakeMongod() {
        proc_.closeStdin();  // it exits when its stdin closes
        proc_.wait(5s);
    }
    std::string uri() const { return "mongodb://127.0.0.1:" + std::to_string(port_); }
    std::vector<bson::Doc> recorded() const {
        std::string bytes = readFile(recordFile_);
        std::vector<bson::Doc> out;
        size_t pos = 0;
        while (pos + 5 <= bytes.size()) {
            auto* p = reinterpret_cast<const uint8_t*>(bytes.data()) + pos;
            uint32_t len = bson::loadLE32(p);
            if (len < 5 || pos + len > bytes.size()) break;
            out.push_back(bson::Doc::copyOf(p, len));
            pos += len;
        }
        return out;
    }

  private:
    std::string recordFile_;
    ChildProcess proc_;
    int port_ = 0;
};

// Running: neither gone nor a zombie left for a reaper that a container may not have.
bool alive(pid_t pid) {
    std::string stat = readFile("/proc/" + std::to_string(pid) + "/stat");
    auto close = stat.rfind(')');
    return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

bool isOurDaemon(pid_t pid) {
    std::error_code ec;
    auto exe = fs::canonical("/proc/" + std::to_string(pid) + "/exe", ec);
    return !ec && exe == fs::canonical(test::DaemonProcess::defaultBinary(), ec);
}

// The daemon a driver spawned, known by the pid file its spawn arguments named. The destructor
// stops it (SIGTERM, then SIGKILL), also after a failed check; only a process running our
// binary is signalled, so a recycled pid is never hit.
class SpawnedDaemon {
  public:
    explicit SpawnedDaemon(std::string pidFile) : pidFile_(std::move(pidFile)) {}
    ~SpawnedDaemon() { stop(); }
    // SIGTERM, then SIGKILL after 5 s; true when it had stopped before the SIGKILL (or was gone).
    bool stop() {
        auto p = pid(0ms);
        if (!p || !isOurDaemon(*p)) return true;
        ::kill(*p, SIGTERM);
        for (int i = 0; i < 200 && alive(*p); ++i) std::this_thread::sleep_for(25ms);
        if (!alive(*p)) return true;
        ::kill(*p, SIGKILL);
        return false;
    }
    // The pid from the {port, pid} pid file, waiting up to `timeout` for it to be written.
    std::optional<pid_t> pid(std::chrono::milliseconds timeout) const {
        auto until = std::chrono::steady_clock::now() + timeout;
        do {
            std::string text = readFile(pidFile_);
            if (!text.empty()) {
                try {
                    auto doc = bson::Doc::fromJson(text);
                    if (auto e = doc.view().find("pid"); e && e->isNumber())
                        return static_cast<pid_t>(e->asInt64());
                } catch (const std::exception&) {  // half written: read again
                }
            }
            std::this_thread::sleep_for(25ms);
        } while (std::chrono::steady_clock::now() < until);
        return std::nullopt;
    }

  private:
    std::string pidFile_;
};

std::vector<uint8_t> bytesOf(const bson::Element& e) {
    auto b = e.binary();
    return {b.data, b.data + b.len};
}

bool contains(const bson::Doc& d, std::string_view needle) {
    std::string_view raw(reinterpret_cast<const char*>(d.data()), d.size());
    return raw.find(needle) != std::string_view::npos;
}

// Checks the client's own process: the driver spawned our binary with its idle timeout.
void checkSpawned(const SpawnedDaemon& spawned, int port) {
    auto pid = spawned.pid(10s);
    ASSERT_TRUE(pid) << "no pid file in the private directory: the driver did not spawn "
                        "mongocryptd with its mongocryptdSpawnArgs";
    EXPECT_TRUE(isOurDaemon(*pid))
        << "pid " << *pid << " is not " << test::DaemonProcess::defaultBinary();
    std::string cmdline = readFile("/proc/" + std::to_string(*pid) + "/cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    EXPECT_TRUE(cmdline.find("--idleShutdownTimeoutSecs=60") != std::string::npos ||
                cmdline.find("--idleShutdownTimeoutSecs 60") != std::string::npos)
        << "the driver's idle timeout is missing: " << cmdline;
    EXPECT_NE(cmdline.find("--port=" + std::to_string(port)), std::string::npos) << cmdline;
}

// The first executable named `name` in the directories of `path` (colon-separated).
std::optional<fs::path> findOnPath(const std::string& name, const std::string& path) {
    std::stringstream dirs(path);
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        fs::path candidate = fs::path(dir.empty() ? "." : dir) / name;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return std::nullopt;
}

const char* modeArgument(SpawnMode mode) {
    switch (mode) {
        case SpawnMode::kSpawn:
            return "spawn";
        case SpawnMode::kBypass:
            return "bypass";
        case SpawnMode::kCryptShared:
            return "crypt_shared";
    }
    return "";
}

}  // namespace

std::optional<bson::Element> equalityValue(bson::View filter, std::string_view field) {
    auto e = filter.find(field);
    if (e && e->isDocument()) {
        if (auto eq = e->document().find("$eq")) return eq;
    }
    return e;
}

::testing::AssertionResult isFle1Ciphertext(const std::optional<bson::Element>& e, uint8_t blob,
                                            const std::vector<uint8_t>& keyId, uint8_t bsonType) {
    if (!e) return ::testing::AssertionFailure() << "field missing";
    if (e->type() != BSON_TYPE_BINARY || e->binary().subtype != BSON_SUBTYPE_ENCRYPTED)
        return ::testing::AssertionFailure() << "not BinData 6: type " << int(e->type());
    auto b = e->binary();
    if (b.len < 18 + 16) return ::testing::AssertionFailure() << "too short: " << b.len;
    if (b.data[0] != blob)
        return ::testing::AssertionFailure()
               << "first byte " << int(b.data[0]) << ", not " << int(blob);
    if (keyId.size() != 16 || !std::equal(keyId.begin(), keyId.end(), b.data + 1))
        return ::testing::AssertionFailure() << "not encrypted with the scenario's data key";
    if (b.data[17] != bsonType)
        return ::testing::AssertionFailure()
               << "original type " << int(b.data[17]) << ", not " << int(bsonType);
    return ::testing::AssertionSuccess();
}

std::vector<const bson::Doc*> commandsOn(const ScenarioResult& r, std::string_view name,
                                         std::string_view coll) {
    std::vector<const bson::Doc*> out;
    for (auto& c : r.recorded) {
        auto first = c.view().first();
        if (first && first->key() == name && first->utf8() == coll) out.push_back(&c);
    }
    return out;
}

std::optional<ScenarioResult> runAutoEncryptionScenario(const DriverClient& client,
                                                        SpawnMode mode) {
    TempDir dir;
    RecordingFakeMongod fake(dir.path() + "/recorded.bson");
    std::optional<test::DaemonProcess> ours;  // bypass: the daemon the driver must use
    std::optional<SpawnedDaemon> spawned;     // spawn: the daemon the driver started, stopped last
    std::vector<std::string> env = client.env;
    int port = 0;
    std::string library;  // crypt_shared: the library the driver must load
    if (mode == SpawnMode::kCryptShared) {
        library = fs::canonical(CRYPTD_CRYPT_SHARED_LIB).string();
        // Only the client program's own directory: nothing to spawn from, so a driver that
        // ignored cryptSharedLibPath could not fall back to mongocryptd unnoticed.
        std::string path = fs::path(client.argv.front()).parent_path().string();
        if (auto found = findOnPath("mongocryptd", path)) {
            ADD_FAILURE() << "PATH=" << path << " resolves mongocryptd (" << found->string()
                          << "): crypt_shared mode needs a PATH without it";
            return std::nullopt;
        }
        env.push_back("PATH=" + path);
    } else if (mode == SpawnMode::kBypass) {
        ours.emplace();
        if (!ours->waitUntilReady()) {
            ADD_FAILURE() << "the daemon did not start:\n" << ours->log();
            return std::nullopt;
        }
        port = ours->port();
    } else {
        port = freeTcpPort();
        fs::path binary = test::DaemonProcess::defaultBinary();
        if (binary.filename() != "mongocryptd") {
            ADD_FAILURE() << binary << " cannot be found on PATH as mongocryptd";
            return std::nullopt;
        }
        const char* path = std::getenv("PATH");
        env.push_back("PATH=" + binary.parent_path().string() + ":" +
                      (path ? path : "/usr/bin:/bin"));
        spawned.emplace(dir.path() + "/mongocryptd.pid");
    }

    // In the private directory: drivers spawn mongocryptd in their working directory.
    std::vector<std::string> argv = {"/usr/bin/env", "--chdir=" + dir.path()};
    argv.insert(argv.end(), client.argv.begin(), client.argv.end());
    argv.insert(argv.end(),
                {fake.uri(), modeArgument(mode),
                 mode == SpawnMode::kCryptShared ? library : std::to_string(port), dir.path()});
    ChildProcess proc({argv, env, false});
    auto code = proc.wait(90s);
    ScenarioResult r;
    r.output = proc.output();
    std::cout << r.output;
    if (!code || *code != 0) {
        ADD_FAILURE() << client.argv.back() << (code ? " failed" : " timed out") << ":\n"
                      << r.output << (ours ? "\ndaemon log:\n" + ours->log() : "");
        return std::nullopt;
    }
    r.recorded = fake.recorded();

    // The data key went to the key vault, as the driver's ClientEncryption makes it.
    auto keyInserts = commandsOn(r, "insert", "datakeys");
    if (keyInserts.size() != 1) {
        ADD_FAILURE() << keyInserts.size() << " key vault inserts, not 1";
        return std::nullopt;
    }
    auto keyIdElem = at(keyInserts[0]->view(), {"documents", "0", "_id"});
    if (!keyIdElem || keyIdElem->type() != BSON_TYPE_BINARY ||
        keyIdElem->binary().subtype != BSON_SUBTYPE_UUID) {
        ADD_FAILURE() << "the key document has no UUID _id: " << keyInserts[0]->toJson();
        return std::nullopt;
    }
    r.keyId = bytesOf(*keyIdElem);

    // The insert: ssn (deterministic) and notes (random) as ciphertext, the rest in plaintext.
    auto inserts = commandsOn(r, "insert", "patients");
    if (inserts.size() != 1) {
        ADD_FAILURE() << inserts.size() << " inserts into medical.patients, not 1";
        return std::nullopt;
    }
    bson::View insert = inserts[0]->view();
    EXPECT_FALSE(insert.find("jsonSchema")) << "the schema must not reach mongod";
    struct Expected {
        const char* index;
        int id;
        const char* name;
    };
    for (auto [index, id, name] : {Expected{"0", 1, "Jon Doe"}, Expected{"1", 2, "Jane Roe"}}) {
        auto doc = at(insert, {"documents", index});
        if (!doc) {
            ADD_FAILURE() << "document " << index << " missing: " << inserts[0]->toJson();
            return std::nullopt;
        }
        bson::View d = doc->document();
        EXPECT_TRUE(isFle1Ciphertext(d.find("ssn"), 1, r.keyId, kString))
            << "ssn: " << inserts[0]->toJson();
        EXPECT_TRUE(isFle1Ciphertext(d.find("notes"), 2, r.keyId, kString))
            << "notes: " << inserts[0]->toJson();
        EXPECT_EQ(d.find("_id") ? d.find("_id")->asInt64() : -1, id);
        EXPECT_EQ(d.find("name") ? d.find("name")->utf8() : "", name);
    }
    if (auto ssn = at(insert, {"documents", "0", "ssn"}); ssn && ssn->type() == BSON_TYPE_BINARY)
        r.storedSsn = bytesOf(*ssn);

    // Every find filters on the deterministic ciphertext of the stored ssn: the refused query
    // ({$gt: ...}) never left the driver.
    auto finds = commandsOn(r, "find", "patients");
    EXPECT_FALSE(finds.empty()) << "no find reached the server";
    for (auto* find : finds) {
        auto filter = at(find->view(), {"filter"});
        auto q = equalityValue(filter ? filter->document() : bson::View(), "ssn");
        EXPECT_TRUE(isFle1Ciphertext(q, 1, r.keyId, kString)) << find->toJson();
        EXPECT_TRUE(q && q->type() == BSON_TYPE_BINARY && bytesOf(*q) == r.storedSsn)
            << "the query's ciphertext must equal the stored one: " << find->toJson();
    }
    for (auto& c : r.recorded)
        for (auto secret : kSecrets)
            EXPECT_FALSE(contains(c, secret))
                << "plaintext '" << secret << "' reached the server: " << c.toJson();

    // The application saw the daemon's refusal.
    auto refused = r.output.find("REFUSED: ");
    EXPECT_NE(refused, std::string::npos) << "the client printed no refusal";
    if (refused != std::string::npos) {
        std::string line = r.output.substr(refused, r.output.find('\n', refused) - refused);
        EXPECT_NE(line.find(kRefusal), std::string::npos)
            << "the daemon's message did not reach the application: " << line;
    }

    if (mode == SpawnMode::kCryptShared) {
        // The driver ran with the library mapped into its own process.
        EXPECT_NE(r.output.find("CRYPT_SHARED_MAPPED: " + library + "\n"), std::string::npos)
            << "the client did not report " << library << " in its /proc/self/maps";
    } else if (spawned) {
        checkSpawned(*spawned, port);
        EXPECT_TRUE(spawned->stop()) << "the daemon the driver spawned ignored SIGTERM";
    } else {
        EXPECT_TRUE(ours->running()) << "the daemon we started died:\n" << ours->log();
        EXPECT_EQ(ours->stop(), 0) << ours->log();
    }
    return r;
}

std::optional<bson::Element> at(bson::View d, std::initializer_list<std::string_view> path) {
    std::optional<bson::Element> e;
    for (auto part : path) {
        e = d.find(part);
        if (!e) return std::nullopt;
        d = e->document();
    }
    return e;
}

}  // namespace cryptd::e2e
