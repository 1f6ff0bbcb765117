#include "platform/storage.hpp"

#include <emscripten.h>

#include <cstdlib>
#include <map>

#include <nlohmann/json.hpp>

#include "platform/browser.hpp"

namespace kopilka::wasm {

namespace {
using Json = nlohmann::json;

// clang-format off
// area 0: localStorage, 1: sessionStorage (the tab's).
EM_JS(char*, js_local_get, (int area, const char* key), {
    let v = null;
    const s = () => area ? window.sessionStorage : window.localStorage;
    try { v = s().getItem(UTF8ToString(key)); } catch (e) {}
    v = v || "";
    const n = lengthBytesUTF8(v) + 1;
    const p = _malloc(n);
    stringToUTF8(v, p, n);
    return p;
});
EM_JS(void, js_local_set, (int area, const char* key, const char* value), {
    try {
        const s = area ? window.sessionStorage : window.localStorage;
        s.setItem(UTF8ToString(key), UTF8ToString(value));
    } catch (e) {
        console.warn('[kopilka] localStorage', e);
    }
});
EM_JS(void, js_local_remove, (int area, const char* key), {
    try { (area ? window.sessionStorage : window.localStorage).removeItem(UTF8ToString(key)); }
    catch (e) {}
});

// One database, one object store keyed by the operation id. op: 'put' (text: the item's
// JSON), 'delete' (text: the id) or 'all' (answers a JSON array).
EM_JS(void, js_idb, (int id, const char* op, const char* text), {
    const o = UTF8ToString(op);
    const t = UTF8ToString(text);
    const done = (ok, answer) => Module.ccall('kopilka_idb_done', null,
                                              ['number', 'number', 'string'],
                                              [id, ok ? 1 : 0, answer]);
    const open = () => {
        if (!Module.kopilkaDb) {
            Module.kopilkaDb = new Promise((resolve, reject) => {
                const req = indexedDB.open('kopilka', 1);
                req.onupgradeneeded = () =>
                    req.result.createObjectStore('outbox', {keyPath: 'op_id'});
                req.onsuccess = () => resolve(req.result);
                req.onerror = () => reject(req.error);
            });
        }
        return Module.kopilkaDb;
    };
    open().then((db) => {
        const tx = db.transaction('outbox', o === 'all' ? 'readonly' : 'readwrite');
        const store = tx.objectStore('outbox');
        let result = '';
        if (o === 'put') store.put(JSON.parse(t));
        else if (o === 'delete') store.delete(t);
        else {
            const r = store.getAll();
            r.onsuccess = () => { result = JSON.stringify(r.result); };
        }
        tx.oncomplete = () => done(true, result);  // durable once the transaction completes
        tx.onerror = tx.onabort = () => done(false, String(tx.error));
    }).catch((e) => done(false, String(e)));
});
// clang-format on

std::map<int, std::function<void(bool, const std::string&)>>& pending() {
    static std::map<int, std::function<void(bool, const std::string&)>> p;
    return p;
}
int g_next = 1;

void idb(const char* op, const std::string& text,
         std::function<void(bool, const std::string&)> done) {
    const int id = g_next++;
    pending()[id] = std::move(done);
    js_idb(id, op, text.c_str());
}

}  // namespace

std::string LocalStorage::get(const std::string& key) {
    char* p = js_local_get(area_, key.c_str());
    std::string v(p);
    std::free(p);
    return v;
}
void LocalStorage::set(const std::string& key, const std::string& value) {
    js_local_set(area_, key.c_str(), value.c_str());
}
void LocalStorage::remove(const std::string& key) { js_local_remove(area_, key.c_str()); }

void IndexedDbOutboxStore::save(const client::OutboxItem& item, std::function<void(bool)> done) {
    idb("put", client::encode_outbox_item(item),
        [done = std::move(done)](bool ok, const std::string&) { done(ok); });
}

void IndexedDbOutboxStore::remove(const std::string& op_id) {
    idb("delete", op_id, [](bool, const std::string&) {});
}

// Items come back oldest first; a malformed row (never written by us) is skipped.
void IndexedDbOutboxStore::load(std::function<void(std::vector<client::OutboxItem>)> done) {
    idb("all", "", [done = std::move(done)](bool ok, const std::string& text) {
        std::vector<client::OutboxItem> items;
        const Json all = ok ? Json::parse(text, nullptr, false) : Json();
        if (all.is_array())
            for (const Json& j : all)
                if (auto item = client::decode_outbox_item(j.dump())) items.push_back(*item);
        std::stable_sort(items.begin(), items.end(),
                         [](const client::OutboxItem& a, const client::OutboxItem& b) {
                             return a.created_ms < b.created_ms;
                         });
        done(std::move(items));
    });
}

void IndexedDbOutboxStore::deliver(int request_id, int ok, const char* text) {
    activity();
    auto it = pending().find(request_id);
    if (it == pending().end()) return;
    auto done = std::move(it->second);
    pending().erase(it);
    done(ok != 0, text ? std::string(text) : std::string());
}

}  // namespace kopilka::wasm

extern "C" EMSCRIPTEN_KEEPALIVE void kopilka_idb_done(int request_id, int ok, const char* text) {
    kopilka::wasm::IndexedDbOutboxStore::deliver(request_id, ok, text);
}
