// Argument parsing and help text derived from command declarations: one
// argument, several in order, and a last one taking every remaining token.
#include <gtest/gtest.h>

#include "commands/registry.h"

namespace clrdump::cmd {
namespace {

Status Nothing(CommandContext&, const ParsedArgs&) { return Ok{}; }

CommandSpec TwoArguments() {
  return {"range",
          {},
          "Reads a range.",
          {{{"-short"}, "", ValueType::kFlag}},
          {ArgumentSpec{"start", "", ValueType::kString, false},
           ArgumentSpec{"end", "", ValueType::kString, false}},
          Nothing};
}

CommandSpec ManyAfterOne() {
  return {"many",
          {"m"},
          "First, then the rest.",
          {},
          {ArgumentSpec{"first", "The first.", ValueType::kUInt32, false},
           ArgumentSpec{"rest", "The others.", ValueType::kString, true}},
          Nothing};
}

TEST(Registry, PositionalTokensFillArgumentsInOrder) {
  auto parsed = ParseArguments(TwoArguments(), {"-short", "10", "20"});
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->Value("start"), "10");
  EXPECT_EQ(parsed->Value("end"), "20");
  EXPECT_TRUE(parsed->Has("-short"));

  // An option may come between them; an unknown one is a positional token.
  parsed = ParseArguments(TwoArguments(), {"10", "-short", "20"});
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->Value("end"), "20");
  parsed = ParseArguments(TwoArguments(), {"-x", "10"});
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->Value("start"), "-x");
  EXPECT_EQ(parsed->Value("end"), "10");
}

TEST(Registry, MissingArgumentsAreAbsentAndExtraOnesRefused) {
  auto parsed = ParseArguments(TwoArguments(), {"10"});
  ASSERT_TRUE(parsed);
  EXPECT_FALSE(parsed->Has("end"));
  parsed = ParseArguments(TwoArguments(), {"10", "20", "30"});
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().message, "Unrecognized command or argument '30'.");
}

TEST(Registry, LastArgumentTakesTheRestAndTypesAreChecked) {
  auto parsed = ParseArguments(ManyAfterOne(), {"1", "a", "b"});
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->Value("first"), "1");
  EXPECT_EQ(parsed->Values("rest"), (std::vector<std::string>{"a", "b"}));
  parsed = ParseArguments(ManyAfterOne(), {"x"});
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().message,
            "Cannot parse argument 'x' for command 'many' as expected type 'System.UInt32'.");
}

TEST(Registry, HelpNestsOptionalArguments) {
  EXPECT_EQ(DetailedHelp(TwoArguments(), 0),
            "Description:\n  Reads a range.\n\n"
            "Usage:\n  > range [<start> [<end>]] [options]\n\n"
            "Arguments:\n  <start>\n  <end>\n\n"
            "Options:\n  -short\n\n");
  EXPECT_EQ(DetailedHelp(ManyAfterOne(), 0),
            "Description:\n  First, then the rest.\n\n"
            "Usage:\n  > many [<first> [<rest>...]]\n\n"
            "Arguments:\n  <first>  The first.\n  <rest>   The others.\n\n");
}

TEST(Registry, ListingNamesEveryArgument) {
  Registry registry;
  registry.Add(TwoArguments());
  registry.Add(ManyAfterOne());
  EXPECT_EQ(registry.Listing(),
            "many, m <first> <rest>    First, then the rest.\n"
            "range <start> <end>       Reads a range.\n");
}

}  // namespace
}  // namespace clrdump::cmd
