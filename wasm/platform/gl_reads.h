/* Force-included before Dear ImGui's OpenGL3 backend (wasm/CMakeLists.txt): its
   glGetIntegerv calls go to kopilka_gl_get_integerv (platform/host.cpp), which answers the
   reads that WebGL would send to the GPU process and wait on. */
#pragma once

#ifdef __cplusplus
extern "C" {
#endif
void kopilka_gl_get_integerv(unsigned int pname, int* data);
#ifdef __cplusplus
}
#endif

#define glGetIntegerv kopilka_gl_get_integerv
