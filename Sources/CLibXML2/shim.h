#include <libxml/xmlversion.h>
// libxml2's encoding.h would include the system ICU headers, whose enums clash with the copy of ICU
// that Swift's Foundation carries. Arbor never touches libxml2's ICU converter fields (only pointers
// to xmlCharEncodingHandler cross into Swift), so the ICU part of the headers is left out.
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlsave.h>
#include <libxml/xmlwriter.h>

/// A generic error handler that drops the message; Swift cannot define C variadic functions.
static inline void arbor_xml_ignore_generic_error(void *context, const char *message, ...) {
  (void)context;
  (void)message;
}

/// Drops messages sent to this thread's libxml2 generic error handler.
static inline void arbor_xml_silence_generic_errors(void) {
  xmlSetGenericErrorFunc(NULL, arbor_xml_ignore_generic_error);
}

/// Restores this thread's libxml2 generic error handler to the default.
static inline void arbor_xml_restore_generic_errors(void) { xmlSetGenericErrorFunc(NULL, NULL); }
