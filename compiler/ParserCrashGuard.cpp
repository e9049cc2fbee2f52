//===- ParserCrashGuard.cpp - inputs that crash MLIR 22's parser ----------===//
#include "compiler/ParserCrashGuard.h"

#include "llvm/ADT/StringExtras.h"

using namespace mlir::rescale;

/// Whether `text` at `i` starts a well-formed DenseI64ArrayAttr list,
/// `[` (int (`,` int)*)? `]` with optional signs and whitespace, as the
/// linalg parsers need it. Advances `i` past what it read.
static bool isIntegerList(llvm::StringRef text, size_t &i) {
  auto skipSpace = [&] {
    while (i < text.size() && llvm::isSpace(text[i]))
      ++i;
  };
  auto integer = [&] {
    if (i < text.size() && (text[i] == '-' || text[i] == '+'))
      ++i;
    size_t start = i;
    while (i < text.size() && llvm::isDigit(text[i]))
      ++i;
    return i > start;
  };
  skipSpace();
  if (i >= text.size() || text[i] != '[')
    return false;
  ++i;
  skipSpace();
  if (i < text.size() && text[i] == ']')
    return true;
  while (true) {
    if (!integer())
      return false;
    skipSpace();
    if (i < text.size() && text[i] == ']')
      return true;
    if (i >= text.size() || text[i] != ',')
      return false;
    ++i;
    skipSpace();
  }
}

std::string ParserCrash::format(llvm::StringRef path) const {
  return path.str() + ":" + std::to_string(line) + ":" +
         std::to_string(column) + ": error: " + message;
}

std::optional<ParserCrash>
mlir::rescale::findParserCrash(llvm::StringRef text) {
  // The last token outside comments and strings: the attribute follows the
  // op's `outs(...)`, so only a keyword right after `)` is the custom form
  // (an attribute dictionary's `dimensions = [...]` follows `{` or `,`).
  char lastToken = 0;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '/' && text.substr(i, 2) == "//") {
      i = text.find('\n', i);
      if (i == llvm::StringRef::npos)
        break;
      continue;
    }
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i)
        if (text[i] == '\\')
          ++i;
      ++i;
      lastToken = '"';
      continue;
    }
    if (llvm::isSpace(c)) {
      ++i;
      continue;
    }
    if (lastToken == ')' && (text.substr(i).starts_with("permutation") ||
                             text.substr(i).starts_with("dimensions"))) {
      size_t keyword = i, keywordLength = text[i] == 'p' ? 11 : 10;
      size_t j = i + keywordLength;
      // A longer identifier (`dimensionsX`) is not the keyword.
      if (j >= text.size() ||
          !(llvm::isAlnum(text[j]) || text[j] == '_' || text[j] == '.')) {
        while (j < text.size() && llvm::isSpace(text[j]))
          ++j;
        if (j < text.size() && text[j] == '=') {
          size_t list = j + 1;
          if (!isIntegerList(text, list)) {
            size_t line = 1 + text.take_front(keyword).count('\n');
            size_t lineStart = text.take_front(keyword).rfind('\n');
            size_t column =
                keyword -
                (lineStart == llvm::StringRef::npos ? 0 : lineStart + 1) + 1;
            return ParserCrash{
                line, column,
                "'" + text.substr(keyword, keywordLength).str() +
                    " =' is not followed by a list of integers such as "
                    "[0, 1] (MLIR 22's linalg parser would crash on it)"};
          }
        }
      }
    }
    lastToken = c;
    ++i;
  }
  return std::nullopt;
}
