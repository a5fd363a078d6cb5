# The release build of the shipped Windows binaries (docs/release.md):
# dlo_release_binary(TARGET) strips TARGET after each link, keeping its debug information in
# TARGET_FILE.debug beside it, and Authenticode-signs it; dlo_sign_command(VAR FILE) gives the
# command that signs another file (the MSI) in place.
#
# The certificate: DLO_SIGN_PKCS12, or DLO_SIGN_CERT with DLO_SIGN_KEY, as cache variables or,
# when those are empty, environment variables of the same names read at configure time. When
# none is named, the build makes a throwaway test certificate (toolchain/test-cert.sh) in
# <build>/signing, so every build signs and the tests verify the signatures.

set(DLO_SIGN_CERT "" CACHE FILEPATH "Code-signing certificate (PEM or DER, with its chain) for osslsigncode -certs")
set(DLO_SIGN_KEY "" CACHE FILEPATH "Private key of DLO_SIGN_CERT (PEM or DER) for osslsigncode -key")
set(DLO_SIGN_PKCS12 "" CACHE FILEPATH "Certificate and key in one PKCS#12 file, instead of DLO_SIGN_CERT and DLO_SIGN_KEY")
set(DLO_SIGN_PASS_FILE "" CACHE FILEPATH "File whose first line is the password of the key or of the PKCS#12 file")
set(DLO_SIGN_CAFILE "" CACHE FILEPATH "Trust anchors the tests verify the signatures against (default: the test root CA, or the system's CA bundle for a named certificate)")
set(DLO_SIGN_TIMESTAMP_URL "" CACHE STRING "RFC 3161 timestamp server for the signatures (needs network access; off when empty)")

function(dlo_release_binary target)
endfunction()

if(NOT WIN32)
  return()
endif()

foreach(var DLO_SIGN_CERT DLO_SIGN_KEY DLO_SIGN_PKCS12 DLO_SIGN_PASS_FILE DLO_SIGN_CAFILE DLO_SIGN_TIMESTAMP_URL)
  if("${${var}}" STREQUAL "" AND NOT "$ENV{${var}}" STREQUAL "")
    set(${var} "$ENV{${var}}")
  endif()
endforeach()

find_program(DLO_OSSLSIGNCODE NAMES osslsigncode REQUIRED)
set(dlo_release_dir ${CMAKE_SOURCE_DIR}/toolchain)
set(dlo_sign_depends "")
if(DLO_SIGN_PKCS12)
  set(dlo_sign_args -pkcs12 ${DLO_SIGN_PKCS12})
  set(dlo_sign_files ${DLO_SIGN_PKCS12})
elseif(DLO_SIGN_CERT AND DLO_SIGN_KEY)
  set(dlo_sign_args -certs ${DLO_SIGN_CERT} -key ${DLO_SIGN_KEY})
  set(dlo_sign_files ${DLO_SIGN_CERT} ${DLO_SIGN_KEY})
elseif(DLO_SIGN_CERT OR DLO_SIGN_KEY)
  message(FATAL_ERROR "Signing: DLO_SIGN_CERT and DLO_SIGN_KEY go together (got certificate "
                      "'${DLO_SIGN_CERT}', key '${DLO_SIGN_KEY}'); or give DLO_SIGN_PKCS12, or none for a test certificate")
else()
  find_program(DLO_OPENSSL NAMES openssl REQUIRED)
  set(dlo_test_cert_dir ${CMAKE_BINARY_DIR}/signing)
  set(dlo_sign_files ${dlo_test_cert_dir}/test-sign.pem ${dlo_test_cert_dir}/test-sign.key)
  set(dlo_sign_args -certs ${dlo_test_cert_dir}/test-sign.pem -key ${dlo_test_cert_dir}/test-sign.key)
  add_custom_command(
    OUTPUT ${dlo_sign_files} ${dlo_test_cert_dir}/test-root-ca.pem
    COMMAND sh ${dlo_release_dir}/test-cert.sh ${dlo_test_cert_dir}
    DEPENDS ${dlo_release_dir}/test-cert.sh
    COMMENT "Making a test code-signing certificate in ${dlo_test_cert_dir}"
    VERBATIM)
  add_custom_target(dlo_test_cert DEPENDS ${dlo_sign_files})
  set(dlo_sign_depends ${dlo_sign_files})
  if(NOT DLO_SIGN_CAFILE)
    set(DLO_SIGN_CAFILE ${dlo_test_cert_dir}/test-root-ca.pem)
  endif()
endif()
foreach(f IN LISTS dlo_sign_files)
  if(NOT dlo_test_cert_dir AND NOT EXISTS ${f})
    message(FATAL_ERROR "Signing: ${f} does not exist (named by DLO_SIGN_CERT, DLO_SIGN_KEY or DLO_SIGN_PKCS12)")
  endif()
endforeach()
if(DLO_SIGN_PASS_FILE)
  if(NOT EXISTS ${DLO_SIGN_PASS_FILE})
    message(FATAL_ERROR "Signing: DLO_SIGN_PASS_FILE ${DLO_SIGN_PASS_FILE} does not exist")
  endif()
  list(APPEND dlo_sign_args -readpass ${DLO_SIGN_PASS_FILE})
endif()
if(DLO_SIGN_TIMESTAMP_URL)
  list(APPEND dlo_sign_args -ts ${DLO_SIGN_TIMESTAMP_URL})
endif()
if(NOT DLO_SIGN_CAFILE)
  set(DLO_SIGN_CAFILE /etc/ssl/certs/ca-certificates.crt)
endif()

# What the signature depends on, as a file that changes only when the choice does: the signed
# files relink (and so re-sign) when another certificate or timestamp server is named.
set(dlo_sign_stamp ${CMAKE_BINARY_DIR}/signing/signing.txt)
file(CONFIGURE OUTPUT ${dlo_sign_stamp} CONTENT "${dlo_sign_args}\n")
list(APPEND dlo_sign_depends ${dlo_sign_stamp})
set(DLO_SIGN_DEPENDS ${dlo_sign_depends})
set(DLO_SIGN_COMMAND sh ${dlo_release_dir}/sign.sh ${DLO_OSSLSIGNCODE})

# dlo_sign_command(VAR FILE): in VAR, the command that signs FILE in place, for a custom command
# (which also DEPENDS on ${DLO_SIGN_DEPENDS}).
function(dlo_sign_command var file)
  set(${var} ${DLO_SIGN_COMMAND} ${file} ${dlo_sign_args} PARENT_SCOPE)
endfunction()

function(dlo_release_binary target)
  set(file $<TARGET_FILE:${target}>)
  dlo_sign_command(sign ${file})
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND sh ${dlo_release_dir}/strip.sh ${CMAKE_OBJCOPY} ${CMAKE_STRIP} ${file}
    COMMAND ${sign}
    COMMENT "Stripping ${target} (debug information in ${target}.debug) and signing it"
    VERBATIM)
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${DLO_SIGN_DEPENDS})
  if(TARGET dlo_test_cert)
    add_dependencies(${target} dlo_test_cert)
  endif()
endfunction()
