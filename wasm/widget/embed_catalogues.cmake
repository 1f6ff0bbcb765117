# cmake -DOUT=file.cpp -DROOT=assets -DFILES="i18n/en.json,…" -P embed_catalogues.cmake
# writes the catalogues the widget's panel needs into one C++ source: the panel has no file
# system and makes no request for its words.
string(REPLACE "," ";" FILES "${FILES}")
set(body "// Made by wasm/widget/embed_catalogues.cmake from assets/: do not edit.\n")
string(APPEND body "#include \"catalogue_files.hpp\"\n\nnamespace kopilka::wasm {\n\n")
string(APPEND body "const std::vector<CatalogueFile>& catalogue_files() {\n")
string(APPEND body "    static const std::vector<CatalogueFile> files = {\n")
foreach(f ${FILES})
  file(READ "${ROOT}/${f}" text)
  string(APPEND body "        {\"${f}\", R\"kopilka(${text})kopilka\"},\n")
endforeach()
string(APPEND body "    };\n    return files;\n}\n\n}  // namespace kopilka::wasm\n")
file(WRITE "${OUT}.tmp" "${body}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
