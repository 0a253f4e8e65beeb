"""A school's call categories: added and archived from the school's settings page (its "Categories" section), but
the incidents app's own records, so their pages are here; the addresses stay the settings page's
(`schools:category_create`, `schools:category_archive`, named in schools/urls.py without importing this module)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View

from schooldesk.core.views import PermissionRequiredMixin, apply_service
from schooldesk.incidents.models import Category
from schooldesk.schools import services
from schooldesk.schools.forms import CategoryForm
from schooldesk.schools.selectors import desk_schools
from schooldesk.schools.views import SchoolSectionView


class CategoryCreateView(SchoolSectionView):
    """The settings page's "Add category" form; errors re-render the settings page with the typed name."""

    section = "category"

    def post_category(self, request, school):
        form = CategoryForm(request.POST, prefix="g")
        if form.is_valid() and apply_service(
            request,
            form,
            services.category_add,
            _("Category added."),
            school=school,
            name=form.cleaned_data["name"],
            by=request.user,
        ):
            return True
        return {"category_form": form}


class CategoryArchiveView(PermissionRequiredMixin, View):
    permission = "schools.change"

    def post(self, request, pk, category_pk):
        school = get_object_or_404(desk_schools(user=request.user), pk=pk)
        category = get_object_or_404(Category.objects.filter(school=school), pk=category_pk)
        services.category_set_archived(category=category, archived=not category.is_archived, by=request.user)
        messages.success(request, _("Category updated."))
        return redirect(f"/schools/{school.pk}/#category")
