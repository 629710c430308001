// SHA-256 digests for keys and fingerprints (FIPS 180-4), so provenance needs no crypto library.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace kdad {

/// Incremental SHA-256. Feed bytes with update(), read the digest once with hex_digest().
class Sha256 {
 public:
  Sha256();
  Sha256& update(const void* data, std::size_t size);
  Sha256& update(std::string_view text) { return update(text.data(), text.size()); }
  /// Finishes the hash; the object must not be updated afterwards.
  std::array<std::uint8_t, 32> digest();
  /// Finishes the hash and returns it as 64 lowercase hex characters.
  std::string hex_digest();

 private:
  void compress(const std::uint8_t* block);

  std::array<std::uint32_t, 8> state_;
  std::array<std::uint8_t, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t total_bytes_ = 0;
};

/// SHA-256 of a string, as 64 hex characters.
std::string sha256_hex(std::string_view text);

/// SHA-256 of a file's bytes, as 64 hex characters; throws IoError naming the file.
std::string sha256_file_hex(const std::filesystem::path& file);

}  // namespace kdad
