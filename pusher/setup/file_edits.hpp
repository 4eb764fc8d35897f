// The file edits `setup` makes: read a config, find the real file behind a link, write a file
// beside the original and rename it over (keeping mode and owner, synced with its directory),
// and name backups so that none is overwritten.
#pragma once

#include <sys/stat.h>

#include <string>

#include "common/result.hpp"

namespace omp {

Result<std::string> read_file(const std::string& path);
// The file a path names, links resolved; the error names the path.
Result<std::string> real_path(const std::string& path);
// Writes `text` to `path` with the mode and owner of `like`, atomically (temp + rename), then
// syncs the directory so the new entry survives a power loss.
Status write_like(const std::string& path, const std::string& text, const struct stat& like);
Status sync_directory_of(const std::string& path);

// Backups are named PATH.bak-ovpn-mgmt-push-TIMESTAMP (-2, -3, ... when that exists).
// "20261204-065900": the TIMESTAMP.
std::string backup_timestamp();
// `base`, or `base-2`, `base-3`, ... whichever does not exist yet.
std::string free_backup_path(const std::string& base);

}  // namespace omp
