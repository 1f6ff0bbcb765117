// The apps' storage in the browser: client::KioskStorage over localStorage (device token,
// config, recent snapshots, the console's theme draft; small and synchronous) or
// sessionStorage (the console's session), and client::OutboxStore over IndexedDB (the outbox:
// asynchronous, and written before anything is sent). Where IndexedDB is not
// available (a private window that refuses it), saves report failure and the outbox still
// sends; nothing then survives a reload.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "client/kiosk_flow.hpp"
#include "client/outbox.hpp"

namespace kopilka::wasm {

// localStorage, or the tab's sessionStorage (the console's session token).
class LocalStorage final : public client::KioskStorage {
public:
    enum class Area { local, session };
    explicit LocalStorage(Area area = Area::local) : area_(area == Area::session ? 1 : 0) {}
    std::string get(const std::string& key) override;
    void set(const std::string& key, const std::string& value) override;
    void remove(const std::string& key) override;

private:
    int area_;
};

class IndexedDbOutboxStore final : public client::OutboxStore {
public:
    void save(const client::OutboxItem& item, std::function<void(bool)> done) override;
    void remove(const std::string& op_id) override;
    void load(std::function<void(std::vector<client::OutboxItem>)> done) override;

    // Called from JavaScript when an IndexedDB request settles.
    static void deliver(int request_id, int ok, const char* text);
};

}  // namespace kopilka::wasm
