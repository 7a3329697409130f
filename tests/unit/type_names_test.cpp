// dumpheap -stat, gcroot and the other heap commands print type names as
// ClrMD renders the DAC's, so ClrMdTypeName must agree with ClrMD exactly:
// on well-formed names (the cases ClrMD's own tests pin down) and on names it
// half-parses or gives up on. Every expected string below was confirmed
// against the Microsoft.Diagnostics.Runtime.dll shipped with dotnet-dump 10.

#include "runtime/type_names.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

using clrdump::runtime::ClrMdTypeName;

namespace {

struct Case {
  std::string_view input;
  std::string_view expected;
};

void ExpectAll(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    EXPECT_EQ(ClrMdTypeName(c.input), c.expected) << "input: " << c.input;
  }
}

// Names the runtime can produce, in reflection syntax, with ClrMD's rendering.
const std::vector<Case>& WellFormedCases() {
  static const std::vector<Case> cases = {
      // Names without argument lists come back as they are.
      {"", ""},
      {"System.String", "System.String"},
      {"Test.Foo+Bar", "Test.Foo+Bar"},
      {"System.String[]", "System.String[]"},
      {"System.String[,,,]", "System.String[,,,]"},
      {"System.String[][][]", "System.String[][][]"},
      // Jagged arrays of a generic type.
      {"System.Collections.Generic.IList`1[[JetBrains.ReSharper.Psi.Files.CommitBuildResults, "
       "JetBrains.ReSharper.Psi]][][]",
       "System.Collections.Generic.IList<JetBrains.ReSharper.Psi.Files.CommitBuildResults>[][]"},
      {"System.Collections.Generic.IList`1[[JetBrains.ReSharper.Psi.Files.CommitBuildResults, "
       "JetBrains.ReSharper.Psi]][][][]",
       "System.Collections.Generic.IList<JetBrains.ReSharper.Psi.Files.CommitBuildResults>[][][]"},
      {"System.Collections.Generic.IList`1[[JetBrains.ReSharper.Psi.Files.CommitBuildResults, "
       "JetBrains.ReSharper.Psi]][][][][]",
       "System.Collections.Generic.IList<JetBrains.ReSharper.Psi.Files.CommitBuildResults>[][][][]"},
      {"System.Collections.Generic.IList`1[[JetBrains.ReSharper.Psi.Files.CommitBuildResults, "
       "JetBrains.ReSharper.Psi]][][][][][]",
       "System.Collections.Generic.IList<JetBrains.ReSharper.Psi.Files.CommitBuildResults>"
       "[][][][][]"},
      // An arity without arguments shows placeholders.
      {"Test.Foo`2", "Test.Foo<T1, T2>"},
      // The arguments of nested generic types, listed outermost first.
      {"System.Lazy`1+Boxed[[Microsoft.CodeAnalysis.Options.IDocumentOptionsProviderFactory, "
       "Microsoft.CodeAnalysis.Workspaces]]",
       "System.Lazy<Microsoft.CodeAnalysis.Options.IDocumentOptionsProviderFactory>+Boxed"},
      {"System.Collections.Generic.Dictionary`2[[Microsoft.VisualStudio.Threading."
       "WeakKeyDictionary`2+WeakReference`1[[Microsoft.VisualStudio.Threading."
       "IJoinableTaskDependent, Microsoft.VisualStudio.Threading],[System.Int32, mscorlib],"
       "[Microsoft.VisualStudio.Threading.IJoinableTaskDependent, "
       "Microsoft.VisualStudio.Threading]], Microsoft.VisualStudio.Threading],"
       "[System.Int32, mscorlib]]",
       "System.Collections.Generic.Dictionary<Microsoft.VisualStudio.Threading."
       "WeakKeyDictionary<Microsoft.VisualStudio.Threading.IJoinableTaskDependent, "
       "System.Int32>+WeakReference<Microsoft.VisualStudio.Threading.IJoinableTaskDependent>, "
       "System.Int32>"},
      {"Microsoft.CodeAnalysis.PooledObjects.ObjectPool`1[[System.Collections.Generic.Stack`1"
       "[[System.ValueTuple`2[[Microsoft.CodeAnalysis.Shared.Collections.IntervalTree`1+Node"
       "[[Microsoft.CodeAnalysis.Editor.Shared.Tagging.TagSpanIntervalTree`1+TagNode"
       "[[Microsoft.VisualStudio.Text.Tagging.IErrorTag, Microsoft.VisualStudio.Text.UI]], "
       "Microsoft.CodeAnalysis.EditorFeatures]], Microsoft.CodeAnalysis.Workspaces],"
       "[System.Boolean, mscorlib]], mscorlib]], System]]",
       "Microsoft.CodeAnalysis.PooledObjects.ObjectPool<System.Collections.Generic.Stack<"
       "System.ValueTuple<Microsoft.CodeAnalysis.Shared.Collections.IntervalTree<"
       "Microsoft.CodeAnalysis.Editor.Shared.Tagging.TagSpanIntervalTree<"
       "Microsoft.VisualStudio.Text.Tagging.IErrorTag>+TagNode>+Node, System.Boolean>>>"},
      // Compiler-generated nested names contain '<' and '>'.
      {"Microsoft.VisualStudio.Text.Tagging.Implementation.TagAggregator`1+<<-ctor>b__16_0>d"
       "[[Microsoft.VisualStudio.Text.Editor.ISuggestionTag, "
       "Microsoft.VisualStudio.Text.Internal]]",
       "Microsoft.VisualStudio.Text.Tagging.Implementation.TagAggregator<"
       "Microsoft.VisualStudio.Text.Editor.ISuggestionTag>+<<-ctor>b__16_0>d"},
      {"JetBrains.Threading.Actor`1+<>c__DisplayClass15_0+<<-ctor>b__0>d[[System.Boolean, "
       "mscorlib]]",
       "JetBrains.Threading.Actor<System.Boolean>+<>c__DisplayClass15_0+<<-ctor>b__0>d"},
      {"JetBrains.ProjectModel.Caches.ProjectFileDataCacheBase`1+<>c__DisplayClass9_0`1"
       "[[Newtonsoft.Json.Linq.JObject, Newtonsoft.Json],[System.Collections.Generic.IList`1"
       "[[JetBrains.Util.Dotnet.TargetFrameworkIds.TargetFrameworkId, "
       "JetBrains.Platform.Util]], mscorlib]]",
       "JetBrains.ProjectModel.Caches.ProjectFileDataCacheBase<Newtonsoft.Json.Linq.JObject>"
       "+<>c__DisplayClass9_0<System.Collections.Generic.IList<"
       "JetBrains.Util.Dotnet.TargetFrameworkIds.TargetFrameworkId>>"},
      {"Microsoft.SqlServer.Management.SqlParser.Binder.ExecutionSimulator`1+NodeBase`1"
       "[T,[Microsoft.SqlServer.Management.SqlParser.Binder.ExecutionSimulator`1+ExecutionNode,"
       " Microsoft.SqlServer.Management.SqlParser]]",
       "Microsoft.SqlServer.Management.SqlParser.Binder.ExecutionSimulator<T>+NodeBase<"
       "Microsoft.SqlServer.Management.SqlParser.Binder.ExecutionSimulator<T1>+ExecutionNode>"},
  };
  return cases;
}

const std::vector<Case>& ComplexArgumentCases() {
  static const std::vector<Case> cases = {
      {"System.Func`2[[Microsoft.CodeAnalysis.UseAutoProperty.AbstractUseAutoPropertyAnalyzer`4"
       "+AnalysisResult[[Microsoft.CodeAnalysis.CSharp.Syntax.PropertyDeclarationSyntax, "
       "Microsoft.CodeAnalysis.CSharp],[Microsoft.CodeAnalysis.CSharp.Syntax."
       "FieldDeclarationSyntax, Microsoft.CodeAnalysis.CSharp],[Microsoft.CodeAnalysis.CSharp."
       "Syntax.VariableDeclaratorSyntax, Microsoft.CodeAnalysis.CSharp],[Microsoft.CodeAnalysis."
       "CSharp.Syntax.ExpressionSyntax, Microsoft.CodeAnalysis.CSharp]], "
       "Microsoft.CodeAnalysis.Features],[System.ValueTuple`2[[Microsoft.CodeAnalysis.CSharp."
       "Syntax.TypeDeclarationSyntax, Microsoft.CodeAnalysis.CSharp],[Microsoft.CodeAnalysis."
       "SemanticModel, Microsoft.CodeAnalysis]], mscorlib]]",
       "System.Func<Microsoft.CodeAnalysis.UseAutoProperty.AbstractUseAutoPropertyAnalyzer<"
       "Microsoft.CodeAnalysis.CSharp.Syntax.PropertyDeclarationSyntax, Microsoft.CodeAnalysis."
       "CSharp.Syntax.FieldDeclarationSyntax, Microsoft.CodeAnalysis.CSharp.Syntax."
       "VariableDeclaratorSyntax, Microsoft.CodeAnalysis.CSharp.Syntax.ExpressionSyntax>"
       "+AnalysisResult, System.ValueTuple<Microsoft.CodeAnalysis.CSharp.Syntax."
       "TypeDeclarationSyntax, Microsoft.CodeAnalysis.SemanticModel>>"},
      {"System.Func`3[[System.Collections.Generic.KeyValuePair`2[[Microsoft.VisualStudio."
       "ProjectSystem.IProjectVersionedValue`1[[System.Tuple`3[[Microsoft.VisualStudio."
       "ProjectSystem.IProjectSnapshotWithCapabilities, Microsoft.VisualStudio.ProjectSystem],"
       "[System.Collections.Immutable.IImmutableDictionary`2[[System.String, mscorlib],"
       "[System.String, mscorlib]], System.Collections.Immutable],[System.Boolean, mscorlib]], "
       "mscorlib]], Microsoft.VisualStudio.ProjectSystem],[Microsoft.VisualStudio.ProjectSystem."
       "IProjectVersionedValue`1[[Microsoft.VisualStudio.ProjectSystem.Build."
       "IProjectBuildSnapshot, Microsoft.VisualStudio.ProjectSystem]], "
       "Microsoft.VisualStudio.ProjectSystem]], mscorlib],[Microsoft.VisualStudio.ProjectSystem."
       "Designers.CustomizableBlockSubscriberBase`3+Subscription[[Microsoft.VisualStudio."
       "ProjectSystem.IProjectVersionedValue`1[[System.Tuple`3[[Microsoft.VisualStudio."
       "ProjectSystem.IProjectSnapshotWithCapabilities, Microsoft.VisualStudio.ProjectSystem],"
       "[System.Collections.Immutable.IImmutableDictionary`2[[System.String, mscorlib],"
       "[System.String, mscorlib]], System.Collections.Immutable],[System.Boolean, mscorlib]], "
       "mscorlib]], Microsoft.VisualStudio.ProjectSystem],[Microsoft.VisualStudio.ProjectSystem."
       "Build.IProjectBuildSnapshot, Microsoft.VisualStudio.ProjectSystem],[Microsoft."
       "VisualStudio.ProjectSystem.Designers.ProjectBuildSnapshotSubscription, Microsoft."
       "VisualStudio.ProjectSystem.Implementation]], Microsoft.VisualStudio.ProjectSystem."
       "Implementation],[System.Collections.Generic.KeyValuePair`2[[Microsoft.VisualStudio."
       "ProjectSystem.IProjectVersionedValue`1[[Microsoft.VisualStudio.ProjectSystem.Build."
       "IProjectBuildSnapshot, Microsoft.VisualStudio.ProjectSystem]], Microsoft.VisualStudio."
       "ProjectSystem],[System.Boolean, mscorlib]], mscorlib]]",
       "System.Func<System.Collections.Generic.KeyValuePair<Microsoft.VisualStudio."
       "ProjectSystem.IProjectVersionedValue<System.Tuple<Microsoft.VisualStudio.ProjectSystem."
       "IProjectSnapshotWithCapabilities, System.Collections.Immutable.IImmutableDictionary<"
       "System.String, System.String>, System.Boolean>>, Microsoft.VisualStudio.ProjectSystem."
       "IProjectVersionedValue<Microsoft.VisualStudio.ProjectSystem.Build."
       "IProjectBuildSnapshot>>, Microsoft.VisualStudio.ProjectSystem.Designers."
       "CustomizableBlockSubscriberBase<Microsoft.VisualStudio.ProjectSystem."
       "IProjectVersionedValue<System.Tuple<Microsoft.VisualStudio.ProjectSystem."
       "IProjectSnapshotWithCapabilities, System.Collections.Immutable.IImmutableDictionary<"
       "System.String, System.String>, System.Boolean>>, Microsoft.VisualStudio.ProjectSystem."
       "Build.IProjectBuildSnapshot, Microsoft.VisualStudio.ProjectSystem.Designers."
       "ProjectBuildSnapshotSubscription>+Subscription, System.Collections.Generic."
       "KeyValuePair<Microsoft.VisualStudio.ProjectSystem.IProjectVersionedValue<Microsoft."
       "VisualStudio.ProjectSystem.Build.IProjectBuildSnapshot>, System.Boolean>>"},
      {"Microsoft.TeamFoundation.Git.Contracts.PathTable`1+PathTableRow`1[[System.String, "
       "mscorlib],[System.String, mscorlib]][]",
       "Microsoft.TeamFoundation.Git.Contracts.PathTable<System.String>+PathTableRow<"
       "System.String>[]"},
      // Arguments with and without assembly, in every position.
      {"System.ValueTuple`3[[System.String, mscorlib],TCheapVersion,TExpensiveVersion]",
       "System.ValueTuple<System.String, TCheapVersion, TExpensiveVersion>"},
      {"System.ValueTuple`3[TCheapVersion,[System.String, mscorlib],TExpensiveVersion]",
       "System.ValueTuple<TCheapVersion, System.String, TExpensiveVersion>"},
      {"System.ValueTuple`3[TCheapVersion,TExpensiveVersion,[System.String, mscorlib]]",
       "System.ValueTuple<TCheapVersion, TExpensiveVersion, System.String>"},
      {"System.ValueTuple`3[TType1,TType2,TType3]", "System.ValueTuple<TType1, TType2, TType3>"},
      // Open generic types as arguments (ClrMD issue 897).
      {"StructureMap.Pipeline.ExpressedInstance`3[[StructureMap.Pipeline.LambdaInstance`2, "
       "EnforceHttpsModule],T,TPluginType]",
       "StructureMap.Pipeline.ExpressedInstance<StructureMap.Pipeline.LambdaInstance<T1, T2>, "
       "T, TPluginType>"},
      {"StructureMap.Pipeline.ExpressedInstance`3[[StructureMap.Pipeline.LambdaInstance`2"
       "[[System.String, mscorlib],SomeFakeType], SomeFakeAssembly],T,TPluginType]",
       "StructureMap.Pipeline.ExpressedInstance<StructureMap.Pipeline.LambdaInstance<"
       "System.String, SomeFakeType>, T, TPluginType>"},
      {"StructureMap.Pipeline.ExpressedInstance`3[[StructureMap.Pipeline.LambdaInstance`2"
       "[[List`1[[System.ValueType`2[[System.Boolean, mscorlib],SomeOtherFakeType], mscorlib]],"
       " mscorlib],SomeFakeType], SomeFakeAssembly],T,TPluginType]",
       "StructureMap.Pipeline.ExpressedInstance<StructureMap.Pipeline.LambdaInstance<List<"
       "System.ValueType<System.Boolean, SomeOtherFakeType>>, SomeFakeType>, T, TPluginType>"},
      {"System.Linq.Parallel.QueryOperatorEnumerator`2[TSource,[System.Linq.Parallel."
       "ConcatKey`2[TLeftKey,TRightKey], System.Core]]",
       "System.Linq.Parallel.QueryOperatorEnumerator<TSource, System.Linq.Parallel.ConcatKey<"
       "TLeftKey, TRightKey>>"},
  };
  return cases;
}

const std::vector<Case>& ArrayArgumentCases() {
  static const std::vector<Case> cases = {
      {"System.Collections.Generic.Dictionary`2[[System.String, System.Private.CoreLib],"
       "[System.Object, System.Private.CoreLib]]",
       "System.Collections.Generic.Dictionary<System.String, System.Object>"},
      {"System.Collections.Generic.Dictionary`2[[System.String, mscorlib],[System.Object[], "
       "mscorlib]]",
       "System.Collections.Generic.Dictionary<System.String, System.Object[]>"},
      {"System.Collections.Generic.Dictionary`2[[System.String, mscorlib],TFoo[]]",
       "System.Collections.Generic.Dictionary<System.String, TFoo[]>"},
      {"System.Collections.Generic.Dictionary`2[[System.String, mscorlib],[System.Object[][], "
       "mscorlib]]",
       "System.Collections.Generic.Dictionary<System.String, System.Object[][]>"},
      {"System.Collections.Generic.Dictionary`2[[System.String, mscorlib],TFoo[][]]",
       "System.Collections.Generic.Dictionary<System.String, TFoo[][]>"},
      {"System.Collections.Generic.Dictionary`2[[System.String, mscorlib],[System.Object[,,], "
       "mscorlib]]",
       "System.Collections.Generic.Dictionary<System.String, System.Object[,,]>"},
      {"System.Collections.Generic.Dictionary`2[[System.String, mscorlib],TFoo[,,]]",
       "System.Collections.Generic.Dictionary<System.String, TFoo[,,]>"},
      {"System.Collections.Generic.Dictionary`2+Entry[[System.Int32, mscorlib],[System."
       "Collections.Generic.Stack`1[[System.Type[], mscorlib]], System]][]",
       "System.Collections.Generic.Dictionary<System.Int32, System.Collections.Generic.Stack<"
       "System.Type[]>>+Entry[]"},
      {"System.Func`2[[<>f__AnonymousType12`2[[<>f__AnonymousType10`2[[System.Reflection."
       "ConstructorInfo, mscorlib],[System.Reflection.ParameterInfo[], mscorlib]], Microsoft."
       "VisualStudio.Composition],[System.Reflection.TypeInfo, mscorlib]], Microsoft."
       "VisualStudio.Composition],[System.Reflection.ConstructorInfo, mscorlib]]",
       "System.Func<<>f__AnonymousType12<<>f__AnonymousType10<System.Reflection.ConstructorInfo,"
       " System.Reflection.ParameterInfo[]>, System.Reflection.TypeInfo>, System.Reflection."
       "ConstructorInfo>"},
  };
  return cases;
}

// F# and obfuscators emit generic types whose names carry no arity.
const std::vector<Case>& MissingArityCases() {
  static const std::vector<Case> cases = {
      {"FSharp.Compiler.TypedTreeBasics+loop@444-39T[a]",
       "FSharp.Compiler.TypedTreeBasics+loop@444-39T<a>"},
      {"Microsoft.FSharp.Collections.ArrayModule+Parallel+sortingFunc@2439-1[TKey,TValue]",
       "Microsoft.FSharp.Collections.ArrayModule+Parallel+sortingFunc@2439-1<TKey, TValue>"},
      {"Microsoft.FSharp.Collections.ArrayModule+Parallel+sortingFunc@2439-1[TKey,"
       "[TSomeFoo, TFakeAssembly]]",
       "Microsoft.FSharp.Collections.ArrayModule+Parallel+sortingFunc@2439-1<TKey, TSomeFoo>"},
      {"Microsoft.FSharp.Collections.ArrayModule+Parallel+sortingFunc@2439-1[TKey[]]",
       "Microsoft.FSharp.Collections.ArrayModule+Parallel+sortingFunc@2439-1<TKey[]>"},
      {"a37[[akx, yWorks.yFilesWPF.Viewer]]", "a37<akx>"},
      {"a37[akx]", "a37<akx>"},
  };
  return cases;
}

// ClrMD's quirks on names it cannot fully parse, which output must repeat.
const std::vector<Case>& MalformedCases() {
  static const std::vector<Case> cases = {
      // Given up: the input comes back.
      {"A`1[B]]", "A`1[B]]"},
      {"A`1[[B, x]", "A`1[[B, x]"},
      {"A`1[[B, x]]]", "A`1[[B, x]]]"},
      {"A`1[[B, x],[C, y]]", "A`1[[B, x],[C, y]]"},
      {"A`1[B", "A`1[B"},
      {"A`1[", "A`1["},
      {"A`1[]", "A`1[]"},
      {"A`1[,]", "A`1[,]"},
      {"a37[", "a37["},
      {"A`0[B]", "A`0[B]"},
      {"[", "["},
      {"]", "]"},
      {"A+B`1[C]+D", "A+B`1[C]+D"},
      {"System.String[]+X", "System.String[]+X"},
      {"A[]`", "A[]`"},
      {"A`4294967295[B]", "A`4294967295[B]"},
      // Shortcut: nothing to apply, so even an unused arity stays.
      {"Test.Foo`2+Bar", "Test.Foo`2+Bar"},
      {"A[,][]", "A[,][]"},
      {"A[][,]", "A[][,]"},
      // Partly parsed.
      {"`", ""},
      {"Foo`", "Foo"},
      {"A`1`2", "A<T1, T2>"},
      {"A`2[[B, x]]", "A<B, T2>"},
      {"A`1+B`1[[C, c],[D, d]]", "A<C>+B<D>"},
      {"A`1[ [B, x]]", "A< [,]>"},
      {"A`2[B,  C]", "A<B, C>"},
      {"A`2[B, ]", "A<B, >"},
      {"[a]", "<a>"},
      {"[[a, b]]", "<a>"},
      {"T`0+N[x]", "T+N<x>"},
      {"A`1[[B`1[[C, c]]+D, d]]", "A<B<C>+D>"},
      // An array's second suffix is counted, its rank dropped.
      {"A`1[[B[,][], x]]", "A<B[][]>"},
      {"A`2[B[][],C[,]]", "A<B[][], C[,]>"},
      // The arity is read as a wrapping 32-bit integer.
      {"A`4294967297[[B, c]]", "A<B>"},
      {"A`4294967295", "A<>"},
  };
  return cases;
}

TEST(TypeNamesTest, WellFormedNamesMatchClrMd) { ExpectAll(WellFormedCases()); }

TEST(TypeNamesTest, ComplexGenericArgumentsMatchClrMd) { ExpectAll(ComplexArgumentCases()); }

TEST(TypeNamesTest, ArrayArgumentsMatchClrMd) { ExpectAll(ArrayArgumentCases()); }

TEST(TypeNamesTest, GenericsWithoutArityMatchClrMd) { ExpectAll(MissingArityCases()); }

TEST(TypeNamesTest, MalformedNamesMatchClrMd) { ExpectAll(MalformedCases()); }

// Rendered output is built from name parts, "<", ">", ", " and array
// suffixes, so reflection syntax can only survive when the input is given
// back whole.
bool KeepsReflectionSyntax(std::string_view name) {
  if (name.find("[[") != std::string_view::npos) return true;
  for (size_t i = 0; i + 1 < name.size(); ++i) {
    if (name[i] == '`' && name[i + 1] >= '0' && name[i + 1] <= '9') return true;
  }
  return false;
}

TEST(TypeNamesTest, EveryPrefixOfEveryCaseIsHandled) {
  size_t rewritten = 0;
  for (const auto* cases : {&WellFormedCases(), &ComplexArgumentCases(), &ArrayArgumentCases(),
                            &MissingArityCases(), &MalformedCases()}) {
    for (const Case& c : *cases) {
      for (size_t length = 0; length <= c.input.size(); ++length) {
        const std::string_view prefix = c.input.substr(0, length);
        const std::string result = ClrMdTypeName(prefix);
        if (result == prefix) continue;
        ++rewritten;
        EXPECT_FALSE(KeepsReflectionSyntax(result)) << "prefix: " << prefix;
        EXPECT_EQ(ClrMdTypeName(prefix), result) << "prefix: " << prefix;
      }
    }
  }
  // Most prefixes end mid-list and are given up on, but not all.
  EXPECT_GT(rewritten, 100u);
}

TEST(TypeNamesTest, PrefixesOfAGenericNameFollowClrMd) {
  // ClrMD gives up on a truncated argument list or array suffix but
  // completes a prefix that ends right after one, or in an arity.
  const std::string_view name = "System.Collections.Generic.Dictionary`2[[System.String, "
                                "System.Private.CoreLib],[System.Object[], "
                                "System.Private.CoreLib]][]";
  EXPECT_EQ(ClrMdTypeName(name.substr(0, 38)), "System.Collections.Generic.Dictionary");
  EXPECT_EQ(ClrMdTypeName(name.substr(0, 39)), "System.Collections.Generic.Dictionary<T1, T2>");
  EXPECT_EQ(ClrMdTypeName(name.substr(0, 41)), name.substr(0, 41));
  EXPECT_EQ(ClrMdTypeName(name.substr(0, name.size() - 2)),
            "System.Collections.Generic.Dictionary<System.String, System.Object[]>");
  EXPECT_EQ(ClrMdTypeName(name.substr(0, name.size() - 1)), name.substr(0, name.size() - 1));
  EXPECT_EQ(ClrMdTypeName(name),
            "System.Collections.Generic.Dictionary<System.String, System.Object[]>[]");
}

TEST(TypeNamesTest, HugeAndDeepInputsDoNotCrash) {
  // Deeper than any real type: past the part limit the name comes back.
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += "A`1[[";
  deep += "B";
  for (int i = 0; i < 5000; ++i) deep += ", x]]";
  EXPECT_EQ(ClrMdTypeName(deep), deep);

  std::string shallow;
  for (int i = 0; i < 50; ++i) shallow += "A`1[[";
  shallow += "B";
  for (int i = 0; i < 50; ++i) shallow += ", x]]";
  std::string expected;
  for (int i = 0; i < 50; ++i) expected += "A<";
  expected += "B" + std::string(50, '>');
  EXPECT_EQ(ClrMdTypeName(shallow), expected);

  // An arity past the cap would print that many placeholders in ClrMD.
  EXPECT_EQ(ClrMdTypeName("A`70000"), "A`70000");
  EXPECT_EQ(ClrMdTypeName("A`3"), "A<T1, T2, T3>");

  // An unclosed run of '[' reads as a generic with one missing argument.
  EXPECT_EQ(ClrMdTypeName(std::string(100000, '[')), "<T1>");
}

}  // namespace
