// Domain XML checked against libvirt's RelaxNG schema (domain.rng) with libxml2, as libvirt's
// define with VALIDATE does, but with each problem's line, so an editor can show it there.
// Parsing the schema is the slow part: each schema file is parsed once and kept.
#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/xmlerror.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "common.h"

namespace vireo {

namespace {

constexpr const char* kDefaultSchemaDir = "/usr/share/libvirt/schemas";

struct Problem {
  int line = 0;    // 0: libxml2 knows no line
  int column = 0;  // parser errors only
  std::string message;
};

// libxml2's structured error callback; `data` is the std::vector<Problem> being filled.
void CollectProblem(void* data, xmlErrorPtr error) {
  if (!error || !error->message) return;
  std::string message = error->message;
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  // Parser errors carry the column in int2; validation errors leave it 0.
  int column = error->domain == XML_FROM_PARSER ? error->int2 : 0;
  static_cast<std::vector<Problem>*>(data)->push_back({error->line, column, std::move(message)});
}

// The parser context's own error callback: libxml2 passes the context as `data`.
void CollectParserProblem(void* data, xmlErrorPtr error) {
  CollectProblem(static_cast<xmlParserCtxtPtr>(data)->_private, error);
}

[[noreturn]] void Fail(int code, std::string message) {
  VirError error;
  error.code = code;
  error.domain = VIR_FROM_XML;
  error.message = std::move(message);
  throw Failure{error};
}

std::string Joined(const std::vector<Problem>& problems) {
  std::string out;
  for (const auto& problem : problems) out += (out.empty() ? "" : "; ") + problem.message;
  return out;
}

// A parsed schema. libxml2 does not promise that one compiled grammar may validate on several
// threads at once, so validations against it take turns (each takes a millisecond or so).
struct Grammar {
  xmlRelaxNGPtr schema = nullptr;
  std::mutex validating;
  ~Grammar() { xmlRelaxNGFree(schema); }
};

std::shared_ptr<Grammar> LoadGrammar(const std::string& path) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<Grammar>> parsed;
  std::lock_guard<std::mutex> lock(mutex);
  auto found = parsed.find(path);
  if (found != parsed.end()) return found->second;
  if (access(path.c_str(), R_OK) != 0) {
    Fail(VIR_ERR_OPEN_FAILED, "cannot read libvirt's domain schema " + path + ": " + std::strerror(errno));
  }
  std::vector<Problem> problems;
  xmlRelaxNGParserCtxtPtr context = xmlRelaxNGNewParserCtxt(path.c_str());
  if (!context) Fail(VIR_ERR_NO_MEMORY, "cannot allocate a RelaxNG parser");
  xmlRelaxNGSetParserStructuredErrors(context, CollectProblem, &problems);
  auto grammar = std::make_shared<Grammar>();
  grammar->schema = xmlRelaxNGParse(context);
  xmlRelaxNGFreeParserCtxt(context);
  // Not kept when it fails, so a schema installed or fixed later is picked up.
  if (!grammar->schema) Fail(VIR_ERR_INTERNAL_ERROR, "cannot parse libvirt's domain schema " + path + ": " + Joined(problems));
  parsed.emplace(path, grammar);
  return grammar;
}

Array ToArray(const std::vector<Problem>& problems) {
  Array out;
  out.reserve(problems.size());
  for (const auto& problem : problems) {
    Object o;
    if (problem.line > 0) o.Set("line", problem.line);
    if (problem.column > 0) o.Set("column", problem.column);
    o.Set("message", problem.message);
    out.emplace_back(std::move(o));
  }
  return out;
}

// Parses `xml`; malformed XML gives its problems (and no document).
std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> ParseDocument(const std::string& xml, std::vector<Problem>& problems) {
  std::unique_ptr<xmlParserCtxt, decltype(&xmlFreeParserCtxt)> context(xmlNewParserCtxt(), xmlFreeParserCtxt);
  if (!context) Fail(VIR_ERR_NO_MEMORY, "cannot allocate an XML parser");
  // Errors go to this context's callback only, never to libxml2's process-wide handlers.
  context->_private = &problems;
  context->sax->serror = CollectParserProblem;
  // No network, no external entities: the text is checked as it stands.
  xmlDocPtr doc = xmlCtxtReadMemory(context.get(), xml.data(), static_cast<int>(xml.size()), "domain.xml", nullptr,
                                    XML_PARSE_NONET | XML_PARSE_BIG_LINES);
  if (doc && !context->wellFormed) {
    xmlFreeDoc(doc);
    doc = nullptr;
  }
  if (!doc && problems.empty()) problems.push_back({0, 0, "the XML is not well-formed"});
  return {doc, xmlFreeDoc};
}

// validateDomainXml(xml, {schemaDir?}) -> [{line?, column?, message}], empty when valid.
Napi::Value ValidateDomainXml(const Napi::CallbackInfo& info) {
  Args args(info);
  std::string xml = args.String(0, "xml");
  if (xml.size() > INT32_MAX) throw ArgError{"xml is too large"};
  std::string path = args.Opts(1).String("schemaDir").value_or(kDefaultSchemaDir) + "/domain.rng";
  return RunAsync(info.Env(), "vireo.validateDomainXml", [xml = std::move(xml), path = std::move(path)]() -> Value {
    auto grammar = LoadGrammar(path);
    std::vector<Problem> problems;
    auto doc = ParseDocument(xml, problems);
    if (!doc) return ToArray(problems);
    std::lock_guard<std::mutex> lock(grammar->validating);
    std::unique_ptr<xmlRelaxNGValidCtxt, decltype(&xmlRelaxNGFreeValidCtxt)> context(xmlRelaxNGNewValidCtxt(grammar->schema),
                                                                                      xmlRelaxNGFreeValidCtxt);
    if (!context) Fail(VIR_ERR_NO_MEMORY, "cannot allocate a RelaxNG validator");
    xmlRelaxNGSetValidStructuredErrors(context.get(), CollectProblem, &problems);
    int rc = xmlRelaxNGValidateDoc(context.get(), doc.get());
    if (rc < 0) Fail(VIR_ERR_INTERNAL_ERROR, "libxml2 could not validate the XML: " + Joined(problems));
    if (rc > 0 && problems.empty()) problems.push_back({0, 0, "the XML does not match libvirt's domain schema"});
    return ToArray(problems);
  });
}

}  // namespace

void InitXmlValidate(Napi::Env env, Napi::Object exports) {
  xmlInitParser();  // once, on the main thread, before any worker uses libxml2
  VIREO_EXPORT(exports, "validateDomainXml", ValidateDomainXml);
}

}  // namespace vireo
