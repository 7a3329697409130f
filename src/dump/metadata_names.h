// Names of types, fields and methods from a module's ECMA-335 metadata, as
// the runtime's metadata import API composes them (what SOS prints for a
// token): "Namespace.Name", and "Outer+Inner" for nested types.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "dump/metadata_tables.h"

namespace clrdump::dump {

class MetadataNames {
 public:
  // Copies the metadata (its "BSJB" root and streams). kMalformedInput when
  // it is not metadata or has no table stream.
  static Result<MetadataNames> Parse(std::span<const uint8_t> metadata);

  // By row id; nullopt when the row or its name is out of range.
  std::optional<std::string> TypeDefName(uint32_t row) const;
  std::optional<std::string> FieldName(uint32_t row) const;
  std::optional<std::string> MethodName(uint32_t row) const;
  // The bytes of Field `row`'s signature blob; nullopt when out of range.
  std::optional<std::vector<uint8_t>> FieldSignature(uint32_t row) const;
  // The TypeDef row whose method list holds MethodDef `row`; nullopt when
  // none does.
  std::optional<uint32_t> MethodOwner(uint32_t row) const;

 private:
  MetadataNames() = default;
  std::optional<std::string> HeapString(std::optional<uint32_t> index) const;
  std::optional<uint32_t> EnclosingType(uint32_t nested_row) const;
  std::optional<std::string> TypeDefNameAt(uint32_t row, int depth) const;

  // Shared so moving a MetadataNames keeps the views into it valid.
  std::shared_ptr<const std::vector<uint8_t>> bytes_;
  ByteView strings_;
  ByteView blobs_;
  std::optional<TableStream> tables_;
};

}  // namespace clrdump::dump
