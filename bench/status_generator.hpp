// Synthetic `status 3` output in OpenVPN 2.6's exact layout, for benchmarks.
#pragma once

#include <string>

inline std::string generate_status(int sessions, int username_offset) {
    std::string out =
        "TITLE\tOpenVPN 2.6.14 x86_64-pc-linux-gnu [SSL (OpenSSL)] [LZO] [LZ4] [EPOLL] [PKCS11] "
        "[MH/PKTINFO] [AEAD] [DCO]\r\n"
        "TIME\t2026-11-25 23:00:00\t1795647600\r\n"
        "HEADER\tCLIENT_LIST\tCommon Name\tReal Address\tVirtual Address\tVirtual IPv6 Address\t"
        "Bytes Received\tBytes Sent\tConnected Since\tConnected Since (time_t)\tUsername\t"
        "Client ID\tPeer ID\tData Channel Cipher\r\n";
    for (int i = 0; i < sessions; ++i) {
        int u = i + username_offset;  // offsets overlap between endpoints: dedupe has work
        out += "CLIENT_LIST\tclient-" + std::to_string(u) + "\t198.51." +
               std::to_string(u / 250 % 250) + "." + std::to_string(u % 250 + 1) + ":" +
               std::to_string(1024 + i % 60000) + "\t10." + std::to_string(8 + i / 65000) + "." +
               std::to_string(i / 250 % 250) + "." + std::to_string(i % 250 + 2) + "\t\t" +
               std::to_string(1000000 + i * 37) + "\t" + std::to_string(2000000 + i * 91) +
               "\t2026-11-25 22:00:00\t" + std::to_string(1795644000 + i) + "\tuser-" +
               std::to_string(u) + "\t" + std::to_string(i) + "\t" + std::to_string(i) +
               "\tAES-256-GCM\r\n";
    }
    out +=
        "HEADER\tROUTING_TABLE\tVirtual Address\tCommon Name\tReal Address\tLast Ref\tLast Ref "
        "(time_t)\r\n";
    out +=
        "GLOBAL_STATS\tMax bcast/mcast queue length\t0\r\nGLOBAL_STATS\tdco_enabled\t0\r\nEND\r\n";
    return out;
}
