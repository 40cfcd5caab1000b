// Security properties of the running daemon: loopback-only listeners, a private unix socket,
// pid file and socket that never follow symlinks into other files, `shutdown` only for local
// peers on the admin database, and no command that opens a file named in a request.

#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "hostile/hostile_fixture.h"

namespace cryptd::test::hostile {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

bson::Doc json(const std::string& text) {
    return bson::Doc::fromJson(text);
}

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void writeFile(const std::string& path, const std::string& content) {
    std::ofstream(path, std::ios::binary) << content;
}

// A temporary directory removed at the end of the test.
struct TempDir {
    TempDir() {
        std::string t = (fs::temp_directory_path() / "cryptd-sec-XXXXXX").string();
        if (mkdtemp(t.data()) == nullptr) throw std::runtime_error("mkdtemp");
        path = t;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::string operator/(const std::string& name) const { return path + "/" + name; }
    std::string path;
};

// Inodes of the sockets a process holds (/proc/<pid>/fd -> "socket:[inode]").
std::set<std::string> socketInodes(int pid) {
    std::set<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
        std::error_code lec;
        std::string target = fs::read_symlink(e.path(), lec).string();
        if (target.rfind("socket:[", 0) == 0) out.insert(target.substr(8, target.size() - 9));
    }
    return out;
}

struct ListeningSocket {
    std::string localAddressHex;  // as in /proc/net/tcp{,6}
    int port;
    bool v6;
};

// TCP sockets in LISTEN state (st 0A) owned by `pid`.
std::vector<ListeningSocket> listeningSockets(int pid) {
    std::set<std::string> inodes = socketInodes(pid);
    std::vector<ListeningSocket> out;
    for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        std::ifstream in(table);
        std::string line;
        std::getline(in, line);  // header
        while (std::getline(in, line)) {
            std::istringstream s(line);
            std::string sl, local, remote, st, queues, timer, retr, uid, timeout, inode;
            s >> sl >> local >> remote >> st >> queues >> timer >> retr >> uid >> timeout >> inode;
            if (st != "0A" || !inodes.count(inode)) continue;
            auto colon = local.find(':');
            out.push_back({local.substr(0, colon),
                           static_cast<int>(std::stoul(local.substr(colon + 1), nullptr, 16)),
                           std::string(table).back() == '6'});
        }
    }
    return out;
}

bool isLoopbackHex(const ListeningSocket& s) {
    // /proc/net/tcp prints the address in host byte order of 32-bit words.
    if (!s.v6) return s.localAddressHex == "0100007F";
    return s.localAddressHex == "00000000000000000000000001000000";  // ::1
}

std::vector<std::string> nonLoopbackIPv4Addresses() {
    std::vector<std::string> out;
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0) return out;
    for (ifaddrs* i = list; i; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET) continue;
        auto* a = reinterpret_cast<sockaddr_in*>(i->ifa_addr);
        if ((ntohl(a->sin_addr.s_addr) >> 24) == 127) continue;
        char buf[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf);
        out.emplace_back(buf);
    }
    freeifaddrs(list);
    return out;
}

// --- loopback only -------------------------------------------------------------------------

class LoopbackTest : public ::testing::TestWithParam<std::vector<std::string>> {};

TEST_P(LoopbackTest, ListensOnLoopbackOnly) {
    DaemonProcess d(GetParam());
    ASSERT_TRUE(d.waitUntilReady()) << d.log();
    auto sockets = listeningSockets(d.pid());
    ASSERT_FALSE(sockets.empty()) << "no listening TCP socket found for pid " << d.pid();
    for (const auto& s : sockets) {
        EXPECT_TRUE(isLoopbackHex(s))
            << "listening on " << s.localAddressHex << ":" << s.port << (s.v6 ? " (IPv6)" : "");
        EXPECT_EQ(s.port, d.port());
    }
    // And from the outside in: every non-loopback address of this host refuses the port.
    for (const auto& address : nonLoopbackIPv4Addresses()) {
        EXPECT_FALSE(Client::tryTcp(address, d.port()).has_value())
            << "reachable on " << address << ":" << d.port();
    }
    std::string why;
    EXPECT_TRUE(helloWorks(d.port(), &why)) << why;
    EXPECT_EQ(d.stop(), 0) << d.log();
}

const std::vector<std::vector<std::string>>& loopbackOptions() {
    static const std::vector<std::vector<std::string>> all = {
        {}, {"--bind_ip", "0.0.0.0"}, {"--bind_ip_all"}, {"--ipv6", "--bind_ip", "::,0.0.0.0"}};
    return all;
}

std::string loopbackCaseName(const ::testing::TestParamInfo<std::vector<std::string>>& param) {
    static const char* const kNames[] = {"defaults", "bind_ip_any", "bind_ip_all", "ipv6_any"};
    return kNames[param.index];
}

INSTANTIATE_TEST_SUITE_P(Options, LoopbackTest, ::testing::ValuesIn(loopbackOptions()),
                         loopbackCaseName);

// --- the unix socket -----------------------------------------------------------------------

TEST(UnixSocketTest, IsPrivateByDefault) {
    DaemonProcess d;
    ASSERT_TRUE(d.waitUntilReady()) << d.log();
    ASSERT_FALSE(d.socketPath().empty()) << d.log();
    struct stat st {};
    ASSERT_EQ(::lstat(d.socketPath().c_str(), &st), 0);
    EXPECT_TRUE(S_ISSOCK(st.st_mode));
    EXPECT_EQ(st.st_mode & 07777, 0700u) << std::oct << (st.st_mode & 07777);
    EXPECT_EQ(st.st_uid, ::getuid());
    EXPECT_EQ(d.stop(), 0) << d.log();
    EXPECT_NE(::lstat(d.socketPath().c_str(), &st), 0) << "socket file left behind";
}

// --- symlinks at the pid file and socket paths ---------------------------------------------

struct Victim {
    explicit Victim(const TempDir& dir) : path(dir / "victim.txt") {
        writeFile(path, content);
        ::chmod(path.c_str(), 0640);
    }
    void expectIntact(const std::string& when) const {
        EXPECT_EQ(readFile(path), content) << "victim file changed " << when;
        struct stat st {};
        ASSERT_EQ(::stat(path.c_str(), &st), 0) << "victim file gone " << when;
        EXPECT_EQ(st.st_mode & 07777, 0640u) << "victim mode changed " << when;
    }
    std::string path;
    std::string content = "precious data, not a pid file\n";
};

// Starts a daemon in `dir` (pid file dir/p.pid, socket dir/mongocryptd.sock); it may refuse to
// start. Returns its exit code (0 when it started and stopped cleanly).
int runIn(const TempDir& dir, const std::function<void(DaemonProcess&)>& whileRunning = {}) {
    DaemonProcess::Options o;
    o.dir = dir.path;
    DaemonProcess d(o);
    if (d.waitUntilReady(seconds(10))) {
        std::string why;
        EXPECT_TRUE(helloWorks(d.port(), &why)) << why;
        if (whileRunning) whileRunning(d);
        return d.stop();
    }
    auto code = d.waitForExit(seconds(10));
    return code ? *code : -1;
}

TEST(SymlinkTest, APidFileSymlinkNeverWritesThroughToItsTarget) {
    TempDir dir;
    Victim victim(dir);
    ASSERT_EQ(::symlink(victim.path.c_str(), (dir / "p.pid").c_str()), 0);
    runIn(dir, [&](DaemonProcess&) { victim.expectIntact("while the daemon runs"); });
    victim.expectIntact("after the daemon ran");
}

TEST(SymlinkTest, ADanglingPidFileSymlinkCreatesNothing) {
    TempDir dir;
    std::string target = dir / "created-by-daemon";
    ASSERT_EQ(::symlink(target.c_str(), (dir / "p.pid").c_str()), 0);
    runIn(dir);
    EXPECT_FALSE(fs::exists(target)) << "the daemon created the symlink's target";
}

TEST(SymlinkTest, ASocketPathSymlinkNeverTouchesItsTarget) {
    TempDir dir;
    Victim victim(dir);
    ASSERT_EQ(::symlink(victim.path.c_str(), (dir / "mongocryptd.sock").c_str()), 0);
    runIn(dir, [&](DaemonProcess&) { victim.expectIntact("while the daemon runs"); });
    victim.expectIntact("after the daemon ran");
    EXPECT_TRUE(fs::is_symlink(dir / "mongocryptd.sock"));
}

TEST(SymlinkTest, ADanglingSocketSymlinkCreatesNothing) {
    TempDir dir;
    std::string target = dir / "created-by-daemon";
    ASSERT_EQ(::symlink(target.c_str(), (dir / "mongocryptd.sock").c_str()), 0);
    runIn(dir);
    EXPECT_FALSE(fs::exists(target)) << "the daemon created the symlink's target";
}

// --- shutdown ------------------------------------------------------------------------------

TEST(ShutdownTest, RefusedOutsideTheAdminDatabase) {
    DaemonProcess d;
    ASSERT_TRUE(d.waitUntilReady()) << d.log();
    for (const char* db : {"test", "local", "config", "Admin", "admin.$cmd"}) {
        Client c = Client::tcp(d.port());
        ASSERT_TRUE(
            c.send(wire::opMsg(1, json(std::string(R"({"shutdown": 1, "$db": ")") + db + "\"}"))));
        auto msg = c.receive();
        ASSERT_TRUE(msg) << db << ": no reply";
        auto reply = replyBody(*msg);
        ASSERT_TRUE(reply);
        EXPECT_TRUE(isErrorReply(*reply)) << db << ": " << reply->toJson();
    }
    std::string why;
    EXPECT_TRUE(helloWorks(d.port(), &why)) << why;
    EXPECT_EQ(d.stop(), 0);
}

// Loopback TCP and the unix socket are the only ways in (see ListensOnLoopbackOnly), and both
// are local peers: shutdown works from each.
TEST(ShutdownTest, AcceptedFromLocalPeers) {
    for (bool viaUnix : {false, true}) {
        DaemonProcess d;
        ASSERT_TRUE(d.waitUntilReady()) << d.log();
        Client c = viaUnix ? Client::unixSocket(d.socketPath()) : Client::tcp(d.port());
        c.send(wire::opMsg(1, json(R"({"shutdown": 1, "$db": "admin"})")));
        c.closedByPeer(seconds(10));
        auto code = d.waitForExit(seconds(10));
        ASSERT_TRUE(code) << (viaUnix ? "unix" : "tcp") << ": still running\n" << d.log();
        EXPECT_EQ(*code, 0) << d.log();
    }
}

// --- no request-named files ----------------------------------------------------------------

// Watches a directory holding a canary file for any access at all (open, read, write, create,
// delete, attribute change) by anyone.
class Watch {
  public:
    explicit Watch(const std::string& dir) {
        fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        inotify_add_watch(fd_, dir.c_str(), IN_ALL_EVENTS | IN_EXCL_UNLINK);
    }
    ~Watch() { ::close(fd_); }
    // Names of the entries touched since the last call ("." for the directory itself).
    std::vector<std::string> events() {
        std::vector<std::string> out;
        alignas(inotify_event) char buf[8192];
        for (;;) {
            ssize_t n = ::read(fd_, buf, sizeof buf);
            if (n <= 0) break;
            for (char* p = buf; p < buf + n;) {
                auto* e = reinterpret_cast<inotify_event*>(p);
                out.push_back(e->len ? std::string(e->name) : std::string("."));
                p += sizeof(inotify_event) + e->len;
            }
        }
        return out;
    }

  private:
    int fd_;
};

TEST(RequestNamedFilesTest, NoCommandOpensAFileNamedInARequest) {
    TempDir canaryDir;
    std::string canary = canaryDir / "canary";
    writeFile(canary, "canary\n");
    DaemonProcess d;
    ASSERT_TRUE(d.waitUntilReady()) << d.log();
    Watch watch(canaryDir.path);
    // The watch sees a plain read (so silence below means something), then starts clean.
    ASSERT_EQ(readFile(canary), "canary\n");
    ASSERT_FALSE(watch.events().empty()) << "inotify does not report accesses here";

    std::string rel = fs::relative(canary, fs::current_path()).string();
    std::vector<std::string> names = {canary, rel, "file://" + canary, canaryDir.path,
                                      "../../../../../../.." + canary};
    std::string schemaKeyPointer = R"J({"bsonType": "object", "properties": {"ssn": {"encrypt": {
        "keyId": "/NAME", "algorithm": "AEAD_AES_256_CBC_HMAC_SHA_512-Random"}}}})J";
    std::vector<std::string> templates = {
        R"J({"find": "NAME", "filter": {}, "$db": "test"})J",
        R"J({"find": "c", "filter": {}, "$db": "NAME"})J",
        R"J({"insert": "c", "documents": [{"ssn": "x", "NAME": "NAME"}], "$db": "test",
            "isRemoteSchema": false, "jsonSchema": KEYPOINTER})J",
        R"J({"find": "c", "filter": {}, "$db": "test", "isRemoteSchema": false,
            "jsonSchema": {"$ref": "NAME"}})J",
        R"J({"find": "c", "filter": {}, "$db": "test", "isRemoteSchema": true,
            "jsonSchema": {"$schema": "NAME", "id": "NAME", "definitions": {"a": {"$ref": "NAME"}}}})J",
        R"J({"aggregate": "c", "pipeline": [{"$out": "NAME"}], "cursor": {}, "$db": "test",
            "isRemoteSchema": false, "jsonSchema": {}})J",
        R"J({"aggregate": "c", "pipeline": [{"$merge": {"into": "NAME"}}], "cursor": {},
            "$db": "test", "isRemoteSchema": false, "jsonSchema": {}})J",
        R"J({"create": "NAME", "validator": {"$jsonSchema": {}}, "$db": "test",
            "storageEngine": {"wiredTiger": {"configString": "log=(path=NAME)"}},
            "isRemoteSchema": false, "jsonSchema": {}})J",
        R"J({"createIndexes": "c", "indexes": [{"key": {"a": 1}, "name": "NAME"}], "$db": "test",
            "isRemoteSchema": false, "jsonSchema": {}})J",
        R"J({"explain": {"find": "NAME"}, "verbosity": "NAME", "$db": "test",
            "isRemoteSchema": false, "jsonSchema": {}})J",
        R"J({"find": "c", "filter": {"$where": "cat('NAME')"}, "$db": "test",
            "isRemoteSchema": false, "jsonSchema": {}})J",
        R"J({"mapReduce": "c", "map": "cat('NAME')", "out": "NAME", "$db": "test"})J",
        R"J({"getLog": "NAME", "$db": "admin"})J",
        R"J({"logRotate": "NAME", "$db": "admin"})J",
        R"J({"setParameter": 1, "logpath": "NAME", "$db": "admin"})J",
        R"J({"getParameter": "*", "$db": "admin"})J",
        R"J({"getCmdLineOpts": 1, "$db": "admin"})J",
        R"J({"fsync": 1, "lock": true, "$db": "admin"})J",
        R"J({"dropDatabase": 1, "$db": "NAME"})J",
        R"J({"eval": "cat('NAME')", "$db": "admin"})J",
        R"J({"hello": 1, "client": {"application": {"name": "NAME"}}, "$db": "NAME"})J",
        R"J({"buildInfo": 1, "$db": "NAME"})J",
        R"J({"serverStatus": 1, "$db": "admin"})J",
        R"J({"whatsmyuri": 1, "$db": "admin"})J",
    };
    auto replaceAll = [](std::string s, const std::string& from, const std::string& to) {
        for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
            s.replace(at, from.size(), to);
        return s;
    };
    int sent = 0;
    for (const auto& name : names) {
        for (const auto& t : templates) {
            std::string text = replaceAll(t, "KEYPOINTER", schemaKeyPointer);
            text = replaceAll(text, "NAME", name);
            Client c = Client::tcp(d.port());
            ASSERT_TRUE(c.send(wire::opMsg(1, json(text))));
            EXPECT_TRUE(c.receive()) << "no reply to " << text;
            ++sent;
        }
        // The same through the legacy protocol, with the name as the namespace's database.
        Client c = Client::tcp(d.port());
        ASSERT_TRUE(c.send(wire::opQuery(1, name + ".$cmd", json(R"({"isMaster": 1})"))));
        EXPECT_TRUE(c.receive() || c.closedByPeer());
    }
    auto touched = watch.events();
    EXPECT_TRUE(touched.empty()) << "the canary directory was touched (" << touched.size()
                                 << " events, first: " << touched.front() << ") by " << sent
                                 << " commands";
    EXPECT_EQ(readFile(canary), "canary\n");
    // Nothing is held open either.
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/proc/" + std::to_string(d.pid()) + "/fd", ec)) {
        std::error_code lec;
        EXPECT_EQ(fs::read_symlink(e.path(), lec).string().find(canaryDir.path), std::string::npos);
    }
    std::string why;
    EXPECT_TRUE(helloWorks(d.port(), &why)) << why;
    EXPECT_EQ(d.stop(), 0) << d.log();
}

}  // namespace
}  // namespace cryptd::test::hostile
