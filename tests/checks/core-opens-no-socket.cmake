# A check in the test command: every connection of the client goes through Qt's
# QNetworkAccessManager (proxies, proxy logins, the OS trust store, HTTP/2 come from it), so
# nothing in core/ opens a socket itself. Run as: cmake -DSOURCE_DIR=<repo> -P this-file
file(GLOB_RECURSE sources "${SOURCE_DIR}/core/*.cpp" "${SOURCE_DIR}/core/*.h")
set(found "")
foreach(source IN LISTS sources)
    file(STRINGS "${source}" lines REGEX "Q(Tcp|Ssl|Udp|Local|Abstract)Socket[^:]|QTcpServer|connectToHost")
    foreach(line IN LISTS lines)
        file(RELATIVE_PATH name "${SOURCE_DIR}" "${source}")
        string(APPEND found "  ${name}: ${line}\n")
    endforeach()
endforeach()
if(found)
    message(FATAL_ERROR "core/ must not open sockets itself (use JournyClient / NetworkAccess):\n${found}")
endif()
message(STATUS "core/ opens no socket: ${CMAKE_CURRENT_LIST_FILE}")
