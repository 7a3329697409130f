// ClrMD's rendering of the DAC's type names, checked on names of the shapes
// ClrMD's own parser is tested with.
#include "runtime/type_names.h"

#include <gtest/gtest.h>

namespace clrdump::runtime {
namespace {

TEST(ClrMdTypeName, PlainNamesAndArraysAreUnchanged) {
  EXPECT_EQ(ClrMdTypeName("System.String"), "System.String");
  EXPECT_EQ(ClrMdTypeName("Test.Foo+Bar"), "Test.Foo+Bar");
  EXPECT_EQ(ClrMdTypeName("System.String[,,,]"), "System.String[,,,]");
  EXPECT_EQ(ClrMdTypeName(""), "");
}

TEST(ClrMdTypeName, GenericArgumentsDropTheirAssemblies) {
  EXPECT_EQ(ClrMdTypeName("System.Collections.Generic.List`1[[System.Object, "
                          "System.Private.CoreLib]]"),
            "System.Collections.Generic.List<System.Object>");
  EXPECT_EQ(ClrMdTypeName("System.Collections.Generic.IList`1[[A.B, C]][][]"),
            "System.Collections.Generic.IList<A.B>[][]");
}

TEST(ClrMdTypeName, NestedTypesTakeTheirOwnArguments) {
  EXPECT_EQ(ClrMdTypeName("System.Lazy`1+Boxed[[X.Factory, X]]"), "System.Lazy<X.Factory>+Boxed");
  EXPECT_EQ(ClrMdTypeName("A.Table`1+Row`1[[System.String, mscorlib],[System.Int32, mscorlib]][]"),
            "A.Table<System.String>+Row<System.Int32>[]");
  EXPECT_EQ(ClrMdTypeName("A.Outer`1+<<-ctor>b__16_0>d[[B.Tag, B]]"),
            "A.Outer<B.Tag>+<<-ctor>b__16_0>d");
}

TEST(ClrMdTypeName, NestedGenericArguments) {
  EXPECT_EQ(ClrMdTypeName("System.Collections.Generic.Dictionary`2[[System.String, mscorlib],"
                          "[System.Collections.Generic.List`1[[System.Int32, mscorlib]], "
                          "mscorlib]]"),
            "System.Collections.Generic.Dictionary<System.String, "
            "System.Collections.Generic.List<System.Int32>>");
}

TEST(ClrMdTypeName, OpenParametersAndMissingArguments) {
  EXPECT_EQ(ClrMdTypeName("Test.Foo`2"), "Test.Foo<T1, T2>");
  EXPECT_EQ(ClrMdTypeName("System.ValueTuple`3[TA,[System.String, mscorlib],TB]"),
            "System.ValueTuple<TA, System.String, TB>");
}

TEST(ClrMdTypeName, UnparsableNamesComeBackUnchanged) {
  EXPECT_EQ(ClrMdTypeName("Broken`1[[A, B"), "Broken`1[[A, B");
}

}  // namespace
}  // namespace clrdump::runtime
