#include "wireguard/wg_command_query.hpp"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "wireguard/wg_dump.hpp"

namespace omp {

namespace {

// A dump is about 200 bytes a peer: this allows hundreds of thousands, and no more.
constexpr std::size_t kMaxOutput = 64u << 20;

int open_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
    (void)pid;
    errno = ENOSYS;
    return -1;
#endif
}

std::string describe_exit(int status) {
    if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return std::string("was killed by ") + strsignal(WTERMSIG(status));
    return "stopped";
}

// What `wg` said when it failed: its last line, unless that line looks like dump output
// (tab-separated, and so possibly holding keys).
std::string complaint(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
    std::size_t newline = text.rfind('\n');
    std::string_view last = newline == std::string_view::npos ? text : text.substr(newline + 1);
    if (last.empty() || last.find('\t') != std::string_view::npos) return {};
    return ": " + std::string(last.substr(0, 200));
}

}  // namespace

WgCommandQuery::WgCommandQuery(const WgInterface& source, WgOptions options,
                               std::shared_ptr<const PeerNames> names, SteadyClock::time_point now)
    : WgQuery(source, std::move(options), std::move(names), now) {
    spawn();
}

int WgCommandQuery::fd() const {
    if (finished()) return -1;
    return pipe_fd_ >= 0 ? pipe_fd_ : pidfd_;
}

std::string WgCommandQuery::timeout_message() const {
    return "`wg show " + source_.iface + " dump' gave no answer within " +
           std::to_string(options_.timeout.count()) + " ms";
}

void WgCommandQuery::spawn() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return fail(std::string("pipe: ") + std::strerror(errno));
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);  // the event socket, curl's sockets
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);  // the daemon blocks SIGTERM for its signalfd
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    std::string show = "show", dump = "dump";
    char* argv[] = {options_.command.data(), show.data(), source_.iface.data(), dump.data(),
                    nullptr};
    std::string path = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                locale = "LC_ALL=C";
    char* envp[] = {path.data(), locale.data(), nullptr};
    int rc = posix_spawnp(&pid_, options_.command.c_str(), &actions, &attr, argv, envp);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    if (rc != 0) {
        pid_ = -1;
        ::close(fds[0]);
        return fail("cannot run `" + options_.command + "': " + std::strerror(rc) +
                    (rc == ENOENT ? " (install wireguard-tools)" : ""));
    }
    pipe_fd_ = fds[0];
    ::fcntl(pipe_fd_, F_SETFL, ::fcntl(pipe_fd_, F_GETFL) | O_NONBLOCK);
    pidfd_ = open_pidfd(pid_);
}

void WgCommandQuery::on_ready(short revents) {
    if (pipe_fd_ >= 0 && (revents & (POLLIN | POLLHUP | POLLERR))) read_available();
    if (!finished() && pipe_fd_ < 0) try_reap(pidfd_ < 0);
}

void WgCommandQuery::read_available() {
    int err = read_a_turn(pipe_fd_, [&](Read outcome, std::string_view data) {
        if (outcome == Read::drained) return false;
        if (outcome == Read::closed) {
            ::close(pipe_fd_);  // EOF: the child is exiting
            pipe_fd_ = -1;
            return false;
        }
        if (output_.size() + data.size() > kMaxOutput) {
            fail("`wg show " + source_.iface + " dump' printed more than " +
                 std::to_string(kMaxOutput >> 20) + " MiB");
            return false;
        }
        output_.append(data);
        return true;
    });
    if (err) fail(std::string("read from wg: ") + std::strerror(err));
}

// Without a pidfd, EOF on the pipe means the child is already exiting: waiting is short.
void WgCommandQuery::try_reap(bool block) {
    int status = 0;
    pid_t done = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
    if (done == 0) return;  // still running: the pidfd says when
    if (done < 0 && errno == EINTR) return;
    pid_ = -1;
    if (done < 0) return fail(std::string("waitpid: ") + std::strerror(errno));
    finish(status);
}

void WgCommandQuery::finish(int wait_status) {
    if (!WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 0) {
        return fail("`wg show " + source_.iface + " dump' " + describe_exit(wait_status) +
                    complaint(output_));
    }
    finish_with(parse_wg_dump(output_), output_);
}

void WgCommandQuery::release() {
    kill_child();
    wipe_wg_answer(output_);
    if (pipe_fd_ >= 0) ::close(pipe_fd_);
    if (pidfd_ >= 0) ::close(pidfd_);
    pipe_fd_ = pidfd_ = -1;
}

// SIGKILL cannot be caught, and a killed `wg` holds nothing that delays its exit: the wait
// is short.
void WgCommandQuery::kill_child() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
}

}  // namespace omp
