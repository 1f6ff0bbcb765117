// The kiosk's storage in the browser: client::KioskStorage over localStorage (device token,
// config, recent snapshots; small and synchronous) and client::OutboxStore over IndexedDB
// (the outbox: asynchronous, and written before anything is sent). Where IndexedDB is not
// available (a private window that refuses it), saves report failure and the outbox still
// sends; nothing then survives a reload.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "client/kiosk_flow.hpp"
#include "client/outbox.hpp"

namespace kopilka::wasm {

class LocalStorage final : public client::KioskStorage {
public:
    std::string get(const std::string& key) override;
    void set(const std::string& key, const std::string& value) override;
    void remove(const std::string& key) override;
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
