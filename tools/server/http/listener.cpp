#include "http/listener.hpp"

#include <sys/resource.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <vector>

#include "bounded_pool.hpp"
#include "codec/utf8.hpp"
#include "http/target.hpp"

namespace kopilka::server::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {
using Parser = bhttp::request_parser<bhttp::string_body>;
using Message = bhttp::response<bhttp::string_body>;
using Piecewise = bhttp::response<bhttp::buffer_body>;

struct Refusal {
    int status = 400;
    std::string code, message, field;
};

void limit(Parser& parser, const ServerOptions& o) {
    parser.header_limit(static_cast<std::uint32_t>(o.request_head_bytes_max));
    parser.body_limit(o.request_body_bytes_max);
}

// What could be read of a request that is refused: for the log and the metrics.
Request partial_request(const Parser& parser, const std::string& remote_addr) {
    Request r;
    r.remote_addr = remote_addr;
    // What the parser got before it failed: the request line and the fields read so far
    // (Beast refuses a too-large Content-Length while the head is not yet marked done).
    const auto& m = parser.get();
    r.method = std::string(m.method_string());
    Target t;
    TargetError ignored;
    if (parse_target(m.target(), &t, &ignored)) r.path = std::move(t.path);
    for (const auto& field : m)  // X-Request-Id among them, so the refusal carries the client's id
        if (codec::valid_utf8(field.value()))
            r.headers.push_back({std::string(field.name_string()), std::string(field.value())});
    return r;
}

// A complete request → the Request handlers see, or why it is refused. Every byte that can
// reach JSON is checked here: the target (path and query) and every header value.
std::optional<Request> to_request(const bhttp::request<bhttp::string_body>& m,
                                  const std::string& remote_addr, const ServerOptions& o,
                                  Refusal* why) {
    if (m.target().size() > o.request_target_bytes_max) {
        *why = {414, "uri_too_long",
                "the request target is longer than " + std::to_string(o.request_target_bytes_max) +
                    " bytes",
                "path"};
        return std::nullopt;
    }
    Request r;
    r.method = std::string(m.method_string());
    r.remote_addr = remote_addr;
    Target t;
    TargetError te;
    if (!parse_target(m.target(), &t, &te)) {
        *why = {400, "bad_request", te.message, te.field};
        return std::nullopt;
    }
    r.raw_path = std::move(t.raw_path);
    r.path = std::move(t.path);
    r.params = std::move(t.params);
    for (const auto& field : m) {
        const std::string name(field.name_string());
        if (!codec::valid_utf8(field.value())) {
            *why = {400, "bad_request", "the value of the header " + name + " is not valid UTF-8",
                    name};
            return std::nullopt;
        }
        r.headers.push_back({name, std::string(field.value())});
    }
    r.body = m.body();
    return r;
}

// A read that failed → the refusal to answer with, or nothing when there is no one to answer
// (the client went away, or its deadline passed: the connection is simply closed).
std::optional<Refusal> read_refusal(beast::error_code ec, std::string_view unparsed,
                                    const ServerOptions& o) {
    if (ec.category() != bhttp::make_error_code(bhttp::error::need_more).category())
        return std::nullopt;
    if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message)
        return std::nullopt;
    if (ec == bhttp::error::body_limit)
        return Refusal{413, "body_too_large",
                       "the request body is larger than the server accepts (" +
                           std::to_string(o.request_body_bytes_max) + " bytes)",
                       ""};
    if (ec == bhttp::error::header_limit) {
        const std::size_t line_end = unparsed.find("\r\n");
        if (line_end == std::string_view::npos || line_end > o.request_target_bytes_max)
            return Refusal{414, "uri_too_long",
                           "the request line is longer than " +
                               std::to_string(o.request_target_bytes_max) + " bytes",
                           "path"};
        return Refusal{431, "headers_too_large",
                       "the request's headers are larger than " +
                           std::to_string(o.request_head_bytes_max) + " bytes",
                       ""};
    }
    return Refusal{400, "bad_request", "the request could not be read as HTTP/1.1: " + ec.message(),
                   ""};
}

bool bodyless_status(int status) { return status < 200 || status == 204 || status == 304; }

Message to_message(Response res, bool head, bool keep_alive) {
    Message m;
    m.result(static_cast<unsigned>(res.status));
    m.version(11);
    for (auto& h : res.headers) m.set(h.name, h.value);
    m.keep_alive(keep_alive);
    if (bodyless_status(res.status)) return m;
    if (res.next_piece) {  // HEAD of an answer sent in pieces: its length is not known
        m.chunked(true);
        return m;
    }
    m.content_length(res.body.size());
    if (!head) m.body() = std::move(res.body);
    return m;
}

// A connection may open many sockets: let it, up to what the system allows the process.
void raise_open_files_limit() {
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &lim);
    }
}
}  // namespace

class Session;

struct Listener::Impl {
    Application& app;
    ServerOptions o;
    // One event loop per I/O thread, run by it alone (a connection stays on the loop it was
    // accepted onto): no loop's queue is shared between threads, so an answer handed back by a
    // worker wakes the one thread that owns its connection. Each is kept running until stop().
    std::vector<std::unique_ptr<net::io_context>> loops;
    std::vector<std::optional<net::executor_work_guard<net::io_context::executor_type>>> open;
    std::size_t next_loop = 0;  // the loop the next connection goes to (accept()'s alone)
    tcp::acceptor acceptor;
    net::steady_timer accept_pause;
    BoundedPool pool;
    // What an event loop answering a request itself gives the work that may wait.
    const Application::Spawn spawn = [this](std::function<void()> work) {
        return pool.try_post(std::move(work));
    };
    std::atomic<bool> stopping{false};

    // Connections in all and per address, and the live sessions (to close the idle at stop).
    std::mutex mutex;
    std::size_t connections = 0;
    std::unordered_map<std::string, std::size_t> per_address;
    std::unordered_map<Session*, std::weak_ptr<Session>> sessions;
    // Requests holding one of the uploads_max slots for a large body (Session::upload_limit).
    std::atomic<int> uploads{0};

    // stop(): a deadline for the last answers, after which the event loop is stopped anyway.
    std::mutex stop_mutex;
    std::condition_variable stopped_cv;
    bool finished = false;
    std::thread watchdog;

    Impl(Application& a, const ServerOptions& options)
        : app(a),
          o(options),
          loops(make_loops(options.io_threads)),
          acceptor(*loops.front()),
          accept_pause(*loops.front()),
          pool(options.worker_threads, options.request_queue_max) {
        for (auto& loop : loops) open.emplace_back(loop->get_executor());
    }

    static std::vector<std::unique_ptr<net::io_context>> make_loops(std::size_t n) {
        std::vector<std::unique_ptr<net::io_context>> out;
        for (std::size_t i = 0; i < std::max<std::size_t>(n, 1); ++i)
            out.push_back(std::make_unique<net::io_context>(1));
        return out;
    }

    // A slot for a connection from addr; false with *why when a cap is reached.
    bool admit(const std::string& addr, std::string* why) {
        std::lock_guard<std::mutex> lock(mutex);
        if (connections >= o.connections_max) {
            *why = "the server has too many open connections; retry in a second";
            return false;
        }
        std::size_t& n = per_address[addr];
        if (n >= o.connections_per_address_max) {
            *why = "too many open connections from your address (" +
                   std::to_string(o.connections_per_address_max) + "); close some or retry later";
            if (n == 0) per_address.erase(addr);
            return false;
        }
        ++n;
        ++connections;
        return true;
    }

    void release(const std::string& addr) {
        std::lock_guard<std::mutex> lock(mutex);
        --connections;
        auto it = per_address.find(addr);
        if (it != per_address.end() && --it->second == 0) per_address.erase(it);
    }

    void accept();
    void close_sessions();
};

// One connection: read a request, let a worker answer it, write the answer, wait for the next.
class Session : public std::enable_shared_from_this<Session> {
public:
    Session(Listener::Impl& l, net::io_context& loop, tcp::socket socket, std::string addr)
        : l_(l), loop_(loop), stream_(std::move(socket)), addr_(std::move(addr)) {}

    ~Session() {
        release_upload();
        if (!counted_) return;
        l_.release(addr_);
        std::lock_guard<std::mutex> lock(l_.mutex);
        l_.sessions.erase(this);
    }

    void start_counted() {
        counted_ = true;
        {
            std::lock_guard<std::mutex> lock(l_.mutex);
            l_.sessions[this] = weak_from_this();
        }
        read_next();
    }

    // A connection over a cap: the refusal, then close.
    void start_refused(Response refusal) { send(std::move(refusal), false); }

    // At stop (the drain): a connection waiting for its next request, or still receiving its
    // head (a slow client must not hold the drain), is closed now; one whose head is in keeps
    // going and gets its answer with Connection: close.
    void close_unless_begun() {
        net::post(stream_.get_executor(), [self = shared_from_this()] {
            const State s = self->state_;
            if (s == State::idle || s == State::head || s == State::closed) self->close();
        });
    }

private:
    // idle: waiting for a request's first byte; head: reading its head; reading: its body.
    enum class State { idle, head, reading, answering, writing, closed };

    const ServerOptions& o() const { return l_.o; }

    void read_next() {
        if (l_.stopping) return close();
        state_ = State::reading;
        head_ = false;
        late_ = false;
        release_upload();  // the last request's body and answer are done with
        parser_.emplace();
        limit(*parser_, o());
        // The largest body any route takes, until the head names the route (upload_limit).
        parser_->body_limit(std::max(o().request_body_bytes_max, o().upload_body_bytes_max));
        if (buffer_.size() > 0) return read_head();  // the next pipelined request is here
        // Idle: wait for the first byte of the next request, holding no worker.
        state_ = State::idle;
        stream_.expires_after(std::chrono::seconds(o().keep_alive_idle_s));
        stream_.async_read_some(buffer_.prepare(4096),
                                [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                                    if (ec) return self->close();
                                    self->state_ = State::head;
                                    self->late_ = self->l_.stopping;
                                    self->buffer_.commit(n);
                                    self->read_head();
                                });
    }

    // One deadline for the whole head and body, however slowly they trickle in.
    void read_head() {
        state_ = State::head;
        stream_.expires_after(std::chrono::seconds(o().request_deadline_s));
        bhttp::async_read_header(stream_, buffer_, *parser_,
                                 [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                     if (ec) return self->refuse_read(ec);
                                     self->state_ = State::reading;
                                     if (!self->upload_limit())
                                         return self->refuse_read(bhttp::error::body_limit);
                                     const auto expect = self->parser_->get()[bhttp::field::expect];
                                     if (!iequals(expect, "100-continue")) return self->read_body();
                                     self->continue_ =
                                         std::make_unique<bhttp::response<bhttp::empty_body>>(
                                             bhttp::status::continue_, 11);
                                     bhttp::async_write(self->stream_, *self->continue_,
                                                        [self](beast::error_code ec2, std::size_t) {
                                                            if (ec2) return self->close();
                                                            self->read_body();
                                                        });
                                 });
    }

    // A file upload (a CSV import) may be larger than other requests, but only one that names
    // a credential (it is checked once the body is in: the listener has no store) and only
    // uploads_max at a time across the server, so no anonymous client, nor many, can make it
    // hold more than uploads_max × upload_body_bytes_max. Any other request's body limit comes
    // down to request_body_bytes_max here, and false refuses a declared Content-Length above it
    // (Beast compares that with the limit only while reading the head).
    bool upload_limit() {
        const auto& m = parser_->get();
        if (m.method() == bhttp::verb::post && m.target().rfind("/v1/admin/imports", 0) == 0 &&
            !m[bhttp::field::authorization].empty()) {
            if (l_.uploads.fetch_add(1) < static_cast<int>(o().uploads_max)) {
                upload_slot_ = true;
                return true;
            }
            l_.uploads.fetch_sub(1);
        }
        parser_->body_limit(o().request_body_bytes_max);
        const auto length = parser_->content_length();
        return !length || *length <= o().request_body_bytes_max;
    }

    void release_upload() {
        if (upload_slot_) l_.uploads.fetch_sub(1);
        upload_slot_ = false;
    }

    void read_body() {
        bhttp::async_read(stream_, buffer_, *parser_,
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->refuse_read(ec);
                              self->answer();
                          });
    }

    void refuse_read(beast::error_code ec) {
        const auto data = buffer_.cdata();
        const auto why =
            read_refusal(ec, {static_cast<const char*>(data.data()), data.size()}, o());
        if (!why) return close();
        send(l_.app.refuse(partial_request(*parser_, addr_), why->status, why->code, why->message,
                           why->field),
             false);
    }

    void answer() {
        const auto& m = parser_->get();
        head_ = m.method() == bhttp::verb::head;
        const bool keep_alive = m.keep_alive();
        Refusal why;
        auto request = to_request(m, addr_, o(), &why);
        if (!request)
            return send(l_.app.refuse(partial_request(*parser_, addr_), why.status, why.code,
                                      why.message, why.field),
                        false);
        // Begun after the drain began: read whole (so the client can read the answer) but
        // refused, so a load balancer sends it to another server (nginx: http_503).
        if (late_) {
            Response draining = l_.app.refuse(partial_request(*parser_, addr_), 503, "draining",
                                              "this server is shutting down; retry on another", "");
            draining.set_header("Retry-After", "1");
            return send(std::move(draining), false);
        }
        state_ = State::answering;
        // The work guard keeps the event loop running until the answer is handed back.
        auto self = shared_from_this();
        auto guard = std::make_shared<net::executor_work_guard<net::io_context::executor_type>>(
            loop_.get_executor());
        const Application::Reply reply = [self, guard, keep_alive](Response res) {
            net::post(self->stream_.get_executor(),
                      [self, guard, keep_alive, res = std::move(res)]() mutable {
                          self->send(std::move(res), keep_alive);
                      });
        };
        // Answered here when it can be from memory: no hand-off to a worker and back.
        if (l_.app.handle_here(*request, reply, l_.spawn)) return;
        const bool queued = l_.pool.try_post([self, reply, req = std::move(*request)]() mutable {
            self->l_.app.handle(req, reply);
        });
        if (queued) return;
        Response busy = l_.app.refuse(partial_request(*parser_, addr_), 503, "busy",
                                      "the server is busy; retry in a second", "");
        busy.set_header("Retry-After", "1");
        send(std::move(busy), keep_alive);
    }

    void send(Response res, bool keep_alive) {
        if (res.next_piece && !head_ && !bodyless_status(res.status))
            return send_pieces(std::move(res), keep_alive);
        keep_alive = keep_alive && !l_.stopping;
        state_ = State::writing;
        out_ = std::make_unique<Message>(to_message(std::move(res), head_, keep_alive));
        stream_.expires_after(std::chrono::seconds(o().write_deadline_s));
        bhttp::async_write(
            stream_, *out_,
            [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                self->out_.reset();
                if (ec) return self->close();
                if (!keep_alive || self->l_.stopping) return self->finish();
                self->read_next();
            });
    }

    // An answer in pieces (Response::next_piece): the head, then each piece as a chunk. A
    // worker makes each piece, so a slow reader holds no worker between pieces; each write
    // has the deadline of a whole answer.
    struct Pieces {
        Pieces() : serializer(message) {}
        Piecewise message;
        bhttp::response_serializer<bhttp::buffer_body> serializer;
        std::function<bool(std::string*)> next;
        std::string piece;
        bool last = false;
    };

    void send_pieces(Response res, bool keep_alive) {
        keep_alive = keep_alive && !l_.stopping;
        state_ = State::writing;
        pieces_ = std::make_unique<Pieces>();
        Piecewise& m = pieces_->message;
        m.result(static_cast<unsigned>(res.status));
        m.version(11);
        for (auto& h : res.headers) m.set(h.name, h.value);
        m.keep_alive(keep_alive);
        m.chunked(true);
        m.body().data = nullptr;
        m.body().more = true;
        pieces_->next = std::move(res.next_piece);
        pieces_->piece = std::move(res.body);
        stream_.expires_after(std::chrono::seconds(o().write_deadline_s));
        bhttp::async_write_header(
            stream_, pieces_->serializer,
            [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                if (ec) return self->close_pieces();
                self->write_piece(keep_alive);
            });
    }

    void write_piece(bool keep_alive) {
        Pieces& p = *pieces_;
        if (p.piece.empty() && !p.last) return make_piece(keep_alive);
        p.message.body().data = p.piece.empty() ? nullptr : p.piece.data();
        p.message.body().size = p.piece.size();
        p.message.body().more = !p.last;
        stream_.expires_after(std::chrono::seconds(o().write_deadline_s));
        bhttp::async_write(
            stream_, p.serializer,
            [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                if (ec == bhttp::error::need_buffer) ec = {};  // the piece is out; more follow
                if (ec) return self->close_pieces();
                if (self->pieces_->last) {
                    self->pieces_.reset();
                    if (!keep_alive || self->l_.stopping) return self->finish();
                    return self->read_next();
                }
                self->pieces_->piece.clear();
                self->make_piece(keep_alive);
            });
    }

    // The next piece, made by a worker; while every worker is busy, again in a moment.
    void make_piece(bool keep_alive) {
        if (l_.stopping) return close_pieces();
        auto self = shared_from_this();
        auto guard = std::make_shared<net::executor_work_guard<net::io_context::executor_type>>(
            loop_.get_executor());
        const bool queued = l_.pool.try_post([self, guard, keep_alive] {
            Pieces& p = *self->pieces_;  // the connection's side waits for this post
            bool made = true;
            try {
                p.last = !p.next(&p.piece);
            } catch (...) {
                made = false;  // cut short: the client sees the chunked body unfinished
            }
            net::post(self->stream_.get_executor(), [self, guard, keep_alive, made] {
                if (!made) return self->close_pieces();
                self->write_piece(keep_alive);
            });
        });
        if (queued) return;
        pause_ = std::make_unique<net::steady_timer>(stream_.get_executor());
        pause_->expires_after(std::chrono::milliseconds(20));
        pause_->async_wait([self, keep_alive](beast::error_code ec) {
            if (ec) return self->close_pieces();
            self->make_piece(keep_alive);
        });
    }

    void close_pieces() {
        pieces_.reset();
        close();
    }

    // After a last answer: stop sending, and read (and drop) what the client still sends for
    // a moment, so closing doesn't reset the connection before the client has read the answer.
    void finish() {
        state_ = State::closed;
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
        stream_.expires_after(std::chrono::seconds(1));
        drain();
    }

    void drain() {
        buffer_.consume(buffer_.size());
        stream_.async_read_some(buffer_.prepare(16 * 1024),
                                [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                                    if (ec) return self->close();
                                    self->buffer_.commit(n);
                                    self->drain();
                                });
    }

    void close() {
        state_ = State::closed;
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
        stream_.socket().close(ec);
    }

    Listener::Impl& l_;
    net::io_context& loop_;  // the event loop that runs this connection, on one thread
    beast::tcp_stream stream_;
    std::string addr_;
    bool counted_ = false;
    bool upload_slot_ = false;  // holds one of Impl::uploads
    State state_ = State::reading;
    bool head_ = false;
    bool late_ = false;  // this request's first byte came after stop(): answered 503 draining
    beast::flat_buffer buffer_;
    std::optional<Parser> parser_;
    std::unique_ptr<bhttp::response<bhttp::empty_body>> continue_;
    std::unique_ptr<Message> out_;
    std::unique_ptr<Pieces> pieces_;            // an answer in pieces being sent
    std::unique_ptr<net::steady_timer> pause_;  // waiting for a free worker for the next piece
};

void Listener::Impl::accept() {
    net::io_context& loop = *loops[next_loop++ % loops.size()];
    acceptor.async_accept(loop, [this, &loop](beast::error_code ec, tcp::socket socket) {
        if (stopping || ec == net::error::operation_aborted) return;
        if (ec) {
            // Out of file descriptors (or a like failure): pause instead of spinning.
            accept_pause.expires_after(std::chrono::milliseconds(50));
            accept_pause.async_wait([this](beast::error_code) { accept(); });
            return;
        }
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);  // small answers, no delayed-ACK wait
        const auto endpoint = socket.remote_endpoint(ignored);
        std::string addr = ignored ? std::string("unknown") : endpoint.address().to_string();
        auto session = std::make_shared<Session>(*this, loop, std::move(socket), addr);
        std::string why;
        if (admit(addr, &why)) {
            net::post(loop, [session] { session->start_counted(); });
        } else {
            Request partial;
            partial.remote_addr = addr;
            Response refusal = app.refuse(partial, 503, "too_many_connections", why, "");
            refusal.set_header("Retry-After", "1");
            net::post(loop, [session, refusal = std::move(refusal)]() mutable {
                session->start_refused(std::move(refusal));
            });
        }
        accept();
    });
}

void Listener::Impl::close_sessions() {
    std::vector<std::shared_ptr<Session>> live;
    {
        std::lock_guard<std::mutex> lock(mutex);
        for (auto& [ptr, weak] : sessions)
            if (auto s = weak.lock()) live.push_back(std::move(s));
    }
    for (auto& s : live) s->close_unless_begun();
}

Listener::Listener(Application& app, const ServerOptions& options)
    : impl_(std::make_unique<Impl>(app, options)) {}

Listener::~Listener() {
    if (impl_->watchdog.joinable()) impl_->watchdog.join();
}

int Listener::bind(std::string* error) {
    raise_open_files_limit();
    beast::error_code ec;
    const auto address = net::ip::make_address(impl_->o.host, ec);
    const std::string where = impl_->o.host + ":" + std::to_string(impl_->o.port);
    if (ec) {
        *error = "cannot listen on " + where + ": not an IP address";
        return -1;
    }
    auto& a = impl_->acceptor;
    const tcp::endpoint endpoint(address, static_cast<unsigned short>(impl_->o.port));
    a.open(endpoint.protocol(), ec);
    if (!ec) a.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) a.bind(endpoint, ec);
    if (!ec) a.listen(static_cast<int>(impl_->o.listen_backlog), ec);
    if (ec) {
        *error = "cannot listen on " + where + ": " + ec.message();
        return -1;
    }
    return a.local_endpoint().port();
}

void Listener::run() {
    impl_->accept();
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < impl_->loops.size(); ++i)
        threads.emplace_back([this, i] { impl_->loops[i]->run(); });
    impl_->loops.front()->run();
    for (auto& t : threads) t.join();
    {
        std::lock_guard<std::mutex> lock(impl_->stop_mutex);
        impl_->finished = true;
    }
    impl_->stopped_cv.notify_all();
    impl_->pool.shutdown();
}

void Listener::stop() {
    if (impl_->stopping.exchange(true)) return;
    net::post(*impl_->loops.front(), [this] {
        beast::error_code ignored;
        impl_->acceptor.close(ignored);
        impl_->accept_pause.cancel();
        impl_->close_sessions();
        for (auto& guard : impl_->open) guard.reset();  // each loop ends with its connections
    });
    // Requests in flight get drain_s to be read and answered; then the loop stops whatever is
    // left (a client whose answer is lost retries with the same operation id).
    impl_->watchdog = std::thread([this] {
        std::unique_lock<std::mutex> lock(impl_->stop_mutex);
        if (!impl_->stopped_cv.wait_for(lock, std::chrono::seconds(impl_->o.drain_s),
                                        [this] { return impl_->finished; }))
            for (auto& loop : impl_->loops) loop->stop();
    });
}

std::string Listener::handle_raw(std::string_view bytes, const std::string& remote_addr) {
    Parser parser;
    limit(parser, impl_->o);
    parser.eager(true);
    beast::error_code ec;
    std::size_t used = 0;
    while (!ec && !parser.is_done() && used < bytes.size())
        used += parser.put(net::buffer(bytes.data() + used, bytes.size() - used), ec);
    if (ec == bhttp::error::need_more) ec = {};
    if (!ec && !parser.got_some()) return {};  // no bytes of a request: nothing to answer
    if (!ec && !parser.is_done()) parser.put_eof(ec);
    Response res;
    bool head = false;
    if (ec) {
        const auto why = read_refusal(ec, bytes.substr(used), impl_->o);
        if (!why) return {};
        res = impl_->app.refuse(partial_request(parser, remote_addr), why->status, why->code,
                                why->message, why->field);
    } else {
        head = parser.get().method() == bhttp::verb::head;
        Refusal why;
        auto request = to_request(parser.get(), remote_addr, impl_->o, &why);
        if (request) {  // an answer made on another thread is waited for
            std::promise<Response> answer;
            impl_->app.handle(*request, [&answer](Response r) { answer.set_value(std::move(r)); });
            res = answer.get_future().get();
        } else {
            res = impl_->app.refuse(partial_request(parser, remote_addr), why.status, why.code,
                                    why.message, why.field);
        }
    }
    if (res.next_piece && !head) {  // the whole body at once: this answer is for tests
        std::string piece;
        while (res.next_piece(&piece)) {
            res.body += piece;
            piece.clear();
        }
        res.body += piece;
        res.next_piece = nullptr;
    }
    std::ostringstream out;
    out << to_message(std::move(res), head, false);
    return out.str();
}

}  // namespace kopilka::server::http
